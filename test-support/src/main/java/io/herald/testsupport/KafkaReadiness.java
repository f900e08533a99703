package io.herald.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/** The check that a freshly started test broker really serves clients. */
final class KafkaReadiness {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final String READINESS_TOPIC = "herald.test-readiness";

  private KafkaReadiness() {}

  /**
   * "Brokers registered" is not "clients can work": produce a record and read it back through a
   * consumer group, which also creates {@code __consumer_offsets} before the first test needs it.
   */
  static void verify(KafkaTestBroker broker) {
    broker.createTopic(READINESS_TOPIC, 1);
    String marker = UUID.randomUUID().toString();
    Properties producerProps = new Properties();
    producerProps.putAll(broker.clientConfig());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerProps.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      producer
          .send(new ProducerRecord<>(READINESS_TOPIC, marker, marker))
          .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestInfraException("Interrupted while checking the Kafka test broker", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new TestInfraException(
          "The Kafka test broker at "
              + broker.bootstrapServers()
              + " does not accept records: "
              + e,
          e);
    }

    Properties consumerProps = new Properties();
    consumerProps.putAll(broker.clientConfig());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "herald.test-readiness-" + marker);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumerProps.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerProps.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of(READINESS_TOPIC));
      Awaitility.await("the readiness record read back from " + READINESS_TOPIC)
          .atMost(START_TIMEOUT)
          // A consumer is single-threaded: poll it from this thread, never Awaitility's.
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                  if (marker.equals(r.value())) {
                    return true;
                  }
                }
                return false;
              });
      consumer.commitSync();
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new TestInfraException(
          "The Kafka test broker at "
              + broker.bootstrapServers()
              + " accepted a record but no consumer could read it within "
              + START_TIMEOUT,
          e);
    }
  }
}
