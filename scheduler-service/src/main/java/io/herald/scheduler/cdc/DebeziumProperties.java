package io.herald.scheduler.cdc;

import io.herald.contracts.limit.Limits;
import io.herald.runtime.kafka.KafkaClients;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The configuration of the {@link CdcEngine}'s embedded Debezium engine: the PostgreSQL connector
 * (pgoutput, Herald's publication and slot) and the Kafka topic holding its offsets. Stateless.
 */
final class DebeziumProperties {

  /**
   * Offsets reach Kafka at most this long after a batch: the replay window after a crash. Small
   * because a write to a compacted one-partition topic costs about a millisecond.
   */
  static final long OFFSET_FLUSH_INTERVAL_MS = 1_000;

  /** Names the offsets' partition inside the offsets topic; changing it restarts from scratch. */
  static final String TOPIC_PREFIX = "herald";

  private DebeziumProperties() {}

  /** The embedded engine's configuration for {@code config}. */
  static Properties of(CdcConfig config) {
    CdcConfig.JdbcTarget db = CdcConfig.JdbcTarget.parse(config.jdbcUrl());
    Properties p = new Properties();
    // Security and other client settings reach the offset store's Kafka clients this way.
    p.putAll(config.kafkaProperties());
    // The offsets key contains the engine name: offsets are positions in one slot's stream.
    p.setProperty("name", "herald-cdc-" + config.slotName());
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("topic.prefix", TOPIC_PREFIX);
    p.setProperty("database.hostname", db.host());
    p.setProperty("database.port", Integer.toString(db.port()));
    p.setProperty("database.dbname", db.database());
    if (config.jdbcUser() != null) {
      p.setProperty("database.user", config.jdbcUser());
    }
    if (config.jdbcPassword() != null) {
      p.setProperty("database.password", config.jdbcPassword());
    }
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", config.slotName());
    p.setProperty("publication.name", "herald_publication");
    // The migration creates the publication, so the service user needs no ownership rights.
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty(
        "table.include.list",
        String.join(",", RowMapper.TABLES.stream().map(t -> "public." + t).toList()));
    p.setProperty("snapshot.mode", "initial");
    // A slot still held by a paused former leader is the second fence (ADR 0003): retry to
    // attach every second for 30 s (default: every 10 s), so a takeover waits at most ~1 s
    // after the old reader is gone; then the run fails and restarts with backoff.
    p.setProperty("slot.retry.delay.ms", "1000");
    p.setProperty("slot.max.retries", "30");
    p.setProperty("poll.interval.ms", Long.toString(Math.max(1, config.pollInterval().toMillis())));
    p.setProperty("tombstones.on.delete", "false");
    p.setProperty("time.precision.mode", "adaptive");
    // DeviceInfo.maxPerSecond is a double; "precise" would send base64 bytes without a schema.
    p.setProperty("decimal.handling.mode", "double");
    p.setProperty("converter.schemas.enable", "false");
    p.setProperty("key.converter.schemas.enable", "false");
    p.setProperty("value.converter.schemas.enable", "false");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
    p.setProperty("offset.storage.topic", config.offsetsTopic());
    p.setProperty("offset.storage.partitions", "1");
    p.setProperty(
        "offset.storage.replication.factor", Short.toString(config.offsetsReplicationFactor()));
    p.setProperty("offset.flush.interval.ms", Long.toString(OFFSET_FLUSH_INTERVAL_MS));
    p.setProperty("bootstrap.servers", config.bootstrapServers());
    return p;
  }

  /** The CDC producer's settings. */
  static Properties producer(CdcConfig config) {
    // Owned: one record size end to end (50,000 contact ids are about 2 MB of JSON). Definitions
    // are checked against the smaller MAX_DEFINITION_BYTES first, and a dead letter is cut below
    // this, so the producer never refuses what the engine sends.
    return KafkaClients.producer(
            config.bootstrapServers(), config.kafkaProperties(), Limits.MAX_RECORD_BYTES)
        .clientId(config.applicationId() + "-cdc")
        .byDefault(ProducerConfig.LINGER_MS_CONFIG, 5)
        .set(ProducerConfig.ACKS_CONFIG, "all")
        .set(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .set(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())
        .set(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .toProperties();
  }
}
