package io.herald.bench.peer;

import io.herald.testsupport.KafkaTestBroker;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw transactional produce rate of the bench broker: what any exactly-once emitter (Herald's
 * scheduler included) can reach at best on this machine. One producer, {@code acks=all},
 * idempotent, a transaction committed every {@code commitEvery} records of {@code recordBytes}.
 */
public final class KafkaCeiling {

  private KafkaCeiling() {}

  /** Records per second from the first send to the last commit (initTransactions excluded). */
  public static double transactionalRate(
      KafkaTestBroker broker,
      String topic,
      int partitions,
      int records,
      int commitEvery,
      int recordBytes) {
    broker.createTopic(topic, partitions);
    Properties p = new Properties();
    p.putAll(broker.clientConfig());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-tx");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    byte[] value = new byte[recordBytes];
    ThreadLocalRandom.current().nextBytes(value);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      long t0 = System.nanoTime();
      producer.beginTransaction();
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, "device-" + (i % 1000), value));
        if ((i + 1) % commitEvery == 0) {
          producer.commitTransaction();
          if (i + 1 < records) {
            producer.beginTransaction();
          }
        }
      }
      if (records % commitEvery != 0) {
        producer.commitTransaction();
      }
      long elapsed = System.nanoTime() - t0;
      return records / (elapsed / 1e9);
    }
  }
}
