package io.herald.webhook.publish;

import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.topic.TopicSpec;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes to {@code herald.whatsapp-webhooks} through one shared producer (thread-safe; the app
 * configures it with acks=all, idempotence and {@code max.block.ms} no longer than the answer's
 * wait). Failures are logged with the topic and the reason, never the body.
 */
public final class KafkaDeliveryPublisher implements DeliveryPublisher {

  private static final Logger log = LoggerFactory.getLogger(KafkaDeliveryPublisher.class);

  private final Producer<String, WebhookDelivery> producer;
  private final String topic;

  public KafkaDeliveryPublisher(
      Producer<String, WebhookDelivery> producer, TopicSpec<String, WebhookDelivery> topic) {
    this.producer = producer;
    this.topic = topic.name();
  }

  @Override
  public boolean publish(WebhookDelivery delivery, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      // send() itself may block for metadata or buffer space, up to max.block.ms
      Future<RecordMetadata> ack =
          producer.send(new ProducerRecord<>(topic, delivery.phoneNumberId(), delivery));
      long left = Math.max(0, deadline - System.nanoTime());
      RecordMetadata m = ack.get(left, TimeUnit.NANOSECONDS);
      log.debug(
          "Webhook delivery acknowledged: topic={} partition={} offset={}",
          m.topic(),
          m.partition(),
          m.offset());
      return true;
    } catch (TimeoutException e) {
      log.warn("Webhook delivery not acknowledged in time: topic={} timeout={}", topic, timeout);
      return false;
    } catch (ExecutionException e) {
      log.warn("Webhook delivery refused: topic={} error={}", topic, e.getCause().toString());
      return false;
    } catch (KafkaException e) {
      // from send(): no metadata within max.block.ms, a full buffer, a closed producer
      log.warn("Webhook delivery not sent: topic={} error={}", topic, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
