package io.herald.sender.consume;

import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.topic.Topics;
import io.herald.sender.lane.ResultSink;
import io.herald.sender.metrics.SenderMetrics;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes results to {@code herald.delivery-results}, keyed by device id. */
public final class KafkaResultSink implements ResultSink {

  private static final Logger log = LoggerFactory.getLogger(KafkaResultSink.class);

  private final Producer<String, DeliveryResult> producer;
  private final SenderMetrics metrics;

  public KafkaResultSink(Producer<String, DeliveryResult> producer, SenderMetrics metrics) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public void publish(DeliveryResult result, Runnable onDone) {
    ProducerRecord<String, DeliveryResult> record =
        new ProducerRecord<>(Topics.DELIVERY_RESULTS.name(), result.deviceId(), result);
    producer.send(
        record,
        (md, ex) -> {
          if (ex != null) {
            metrics.resultPublishFailed();
            log.error(
                "Delivery result not published, the ledger row stays the truth: commandId={}"
                    + " status={} error={}",
                result.commandId(),
                result.status().wire(),
                ex.toString());
          }
          onDone.run();
        });
  }
}
