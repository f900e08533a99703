package io.herald.quickstart;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The broker as the test sees it: whole topics read from the start to their end offsets at the
 * moment of the call (no consumer group, so the test leaves no group behind for the console to
 * count), raw records produced as a careless producer would, and consumer-group lag from the Admin
 * API.
 */
final class TopicRecords implements AutoCloseable {

  private final String bootstrap;
  private Admin admin;

  TopicRecords(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /** Every record of {@code topic} up to its end offsets as of now. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return readAll(List.of(topic));
  }

  /** Every record of these topics up to their end offsets as of now, with one consumer. */
  List<ConsumerRecord<byte[], byte[]>> readAll(Collection<String> topicNames) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : topicNames) {
        c.partitionsFor(topic, Duration.ofSeconds(10))
            .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Cannot read " + topicNames + " to " + end);
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  /** Topic names on the broker. */
  Set<String> topics() throws Exception {
    return admin().listTopics().names().get();
  }

  RecordMetadata produce(ProducerRecord<byte[], byte[]> record) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      return producer.send(record).get();
    }
  }

  /**
   * Lag per consumer group on the broker: for each partition a group has committed, the end offset
   * minus the committed offset.
   */
  Map<String, Long> lagByGroup() throws Exception {
    Admin admin = admin();
    {
      List<String> groups =
          admin.listConsumerGroups().all().get().stream()
              .map(g -> g.groupId())
              .collect(Collectors.toList());
      Map<String, Long> lag = new java.util.TreeMap<>();
      for (String g : groups) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(Map.of(g, new ListConsumerGroupOffsetsSpec()))
                .partitionsToOffsetAndMetadata(g)
                .get();
        committed.values().removeIf(o -> o == null);
        Map<TopicPartition, OffsetSpec> latest =
            committed.keySet().stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        long sum = 0;
        for (var e : committed.entrySet()) {
          sum += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
        }
        lag.put(g, sum);
      }
      return lag;
    }
  }

  /** One Admin client for the test's lifetime: a new one per reading would slow every reading. */
  private synchronized Admin admin() {
    if (admin == null) {
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      admin = Admin.create(p);
    }
    return admin;
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
