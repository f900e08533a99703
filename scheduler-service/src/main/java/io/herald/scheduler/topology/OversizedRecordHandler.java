package io.herald.scheduler.topology;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line behind the input bounds: a record Kafka refuses as too large (an operator set a
 * topic's {@code max.message.bytes} below Herald's, or a bound was missed) is dropped, logged at
 * ERROR with where it was going and counted, and the task carries on. Failing instead would kill
 * the stream thread, and a restart would rebuild the same record and fail again: one tenant's
 * definition would stop every tenant's schedules. Every other send failure fails as before.
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {

  /** Config key under which the app passes its {@link SchedulerMetrics} instance. */
  public static final String METRICS_CONFIG = "herald.scheduler.production.metrics";

  private static final Logger log = LoggerFactory.getLogger(OversizedRecordHandler.class);

  private SchedulerMetrics metrics = SchedulerMetrics.noop();

  @Override
  public void configure(Map<String, ?> configs) {
    Object m = configs.get(METRICS_CONFIG);
    if (m instanceof SchedulerMetrics sm) {
      metrics = sm;
    }
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      metrics.recordDropped();
      log.error(
          "Record too large for Kafka dropped so that the task carries on: topic={} "
              + "keyBytes={} valueBytes={} sourceTopic={} sourcePartition={} sourceOffset={} "
              + "processor={}",
          record.topic(),
          size(record.key()),
          size(record.value()),
          context.topic(),
          context.partition(),
          context.offset(),
          context.processorNodeId());
      return Response.resume();
    }
    return Response.fail();
  }

  private static int size(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }
}
