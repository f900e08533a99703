package io.herald.scheduler.topology;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last line of defence for records Streams itself cannot deserialize: in this topology that is a
 * bad record on the global topics (devices, contacts). It is logged with its coordinates, counted
 * and skipped; the topology's own {@link ScheduleChangeDecoder} dead-letters bad schedule changes
 * (those are read as bytes, so they never reach this handler).
 */
public final class LogAndCountDeserializationHandler implements DeserializationExceptionHandler {

  /** Config key under which the app passes its {@link SchedulerMetrics} instance. */
  public static final String METRICS_CONFIG = "herald.scheduler.metrics";

  private static final Logger log =
      LoggerFactory.getLogger(LogAndCountDeserializationHandler.class);

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
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    metrics.deadLetter();
    log.warn("Undeserializable record skipped: topic={} partition={} offset={} reason={}",
        record.topic(), record.partition(), record.offset(),
        ScheduleChangeDecoder.firstLine(exception.getMessage()));
    return Response.resume();
  }
}
