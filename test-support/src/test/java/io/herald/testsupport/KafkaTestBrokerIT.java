package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaTestBrokerIT {

  private final KafkaTestBroker broker = KafkaTestBroker.shared();

  @Test
  void shouldReadOnlyCommittedRecordsWhenConsumerIsReadCommitted() {
    String topic = "herald.it-transactions-" + UUID.randomUUID();
    broker.createTopic(topic, 1);
    TopicPartition partition = new TopicPartition(topic, 0);

    Map<String, Object> producerConfig = broker.clientConfig();
    producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "herald-it-" + UUID.randomUUID());
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
      producer.initTransactions();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted-1"));
      producer.send(new ProducerRecord<>(topic, "k", "aborted-2"));
      producer.flush();
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-3"));
      producer.commitTransaction();
    }

    Map<String, Object> consumerConfig = broker.clientConfig();
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> read = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      // For read_committed, endOffsets is the last stable offset: reaching it means every
      // committed record has been returned and every aborted one skipped.
      long stableEnd = consumer.endOffsets(List.of(partition)).get(partition);
      await("consumer position reaches the last stable offset " + stableEnd)
          .atMost(Duration.ofSeconds(30))
          .pollInSameThread()
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                  read.add(r.value());
                }
                return consumer.position(partition) >= stableEnd;
              });
    }

    assertThat(read).containsExactly("committed-1", "committed-2", "committed-3");
  }

  @Test
  void shouldReturnSameBrokerWhenSharedIsCalledAgain() {
    assertThat(KafkaTestBroker.shared()).isSameAs(broker);
    assertThat(broker.bootstrapServers()).isNotBlank();
  }

  @Test
  void shouldAcceptSameTopicTwiceWhenPartitionCountMatches() {
    String topic = "herald.it-idempotent-" + UUID.randomUUID();

    broker.createTopic(topic, 3);
    broker.createTopic(topic, 3);
  }

  @Test
  void shouldKeepSharedBrokerRunningWhenATestClosesIt() {
    broker.close();

    broker.createTopic("herald.it-after-close-" + UUID.randomUUID(), 1);
  }
}
