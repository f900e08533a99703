package io.herald.scheduler.topology;

import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.DeadLetters;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last line of defence for records Streams itself cannot deserialize: in this topology that is a
 * bad record on the global topics (devices, contacts), read by the global thread, which has no sink
 * to forward to. The record goes to {@code <topic>.dlq} with its coordinates and reason, is counted
 * and skipped, so one bad row never stops the scheduler. The topology's own {@link
 * ScheduleChangeDecoder} dead-letters bad schedule changes (read as bytes, they never get here).
 *
 * <p>The dead letter is written with its own small producer, outside the Streams transaction: a
 * dead letter may be written twice after a crash, never lost; the send is awaited before the record
 * is skipped.
 */
public final class LogAndCountDeserializationHandler implements DeserializationExceptionHandler {

  /** Config key under which the app passes its {@link SchedulerMetrics} instance. */
  public static final String METRICS_CONFIG = "herald.scheduler.metrics";

  private static final Logger log =
      LoggerFactory.getLogger(LogAndCountDeserializationHandler.class);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private SchedulerMetrics metrics = SchedulerMetrics.noop();
  private final Map<String, Object> producerConfig = new HashMap<>();
  private Producer<byte[], byte[]> producer;

  @Override
  public void configure(Map<String, ?> configs) {
    Object m = configs.get(METRICS_CONFIG);
    if (m instanceof SchedulerMetrics sm) {
      metrics = sm;
    }
    // The connection settings of the Streams client (bootstrap, TLS, SASL), nothing else.
    configs.forEach(
        (k, v) -> {
          if (k.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
              || k.startsWith("security.")
              || k.startsWith("ssl.")
              || k.startsWith("sasl.")) {
            producerConfig.put(k, v);
          }
        });
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    metrics.deadLetter();
    String reason = DeadLetters.firstLine(exception.getMessage());
    String dlq = record.topic() + ".dlq";
    try {
      RecordHeaders headers =
          DeadLetters.headers(
              record.headers().toArray(),
              record.topic(),
              record.partition(),
              record.offset(),
              reason,
              exception);
      DeadLetters.truncatedHeader(headers, record.value());
      producer()
          .send(
              new ProducerRecord<>(
                  dlq,
                  null,
                  record.timestamp(),
                  record.key(),
                  DeadLetters.value(record.value()),
                  headers))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.warn(
          "Undeserializable record dead-lettered: topic={} partition={} offset={} dlq={} "
              + "reason={}",
          record.topic(),
          record.partition(),
          record.offset(),
          dlq,
          reason);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      // Still skipped: a bad device row must not stop the scheduler for every tenant.
      log.error(
          "Undeserializable record skipped but NOT dead-lettered: topic={} partition={} "
              + "offset={} dlq={} reason={} dlqError={}",
          record.topic(),
          record.partition(),
          record.offset(),
          dlq,
          reason,
          DeadLetters.firstLine(e.getMessage()));
    }
    return Response.resume();
  }

  private synchronized Producer<byte[], byte[]> producer() {
    if (producer == null) {
      Map<String, Object> p = new HashMap<>(producerConfig);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "herald-scheduler-dlq");
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Limits.MAX_RECORD_BYTES);
      producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }
}
