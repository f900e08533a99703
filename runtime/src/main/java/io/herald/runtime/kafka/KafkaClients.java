package io.herald.runtime.kafka;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the properties of one Kafka client. Precedence, lowest first, the same for every client:
 *
 * <ol>
 *   <li>{@link Builder#byDefault defaults} the caller chooses (e.g. {@code linger.ms});
 *   <li>the {@code KAFKA_*} passthrough ({@code EnvReader#kafkaPassthrough}, which already refused
 *       any variable naming a key the service owns);
 *   <li>what every client owns: {@code bootstrap.servers} and, when given, {@code client.id};
 *   <li>what the role owns: a producer's {@code max.request.size} (one record bound end to end), a
 *       consumer's {@code group.id} and {@code enable.auto.commit=false}, a Streams application's
 *       {@code application.id} and its producer's {@code max.request.size};
 *   <li>what the caller {@link Builder#set sets} (e.g. serializers, {@code isolation.level}).
 * </ol>
 */
public final class KafkaClients {

  private KafkaClients() {}

  /**
   * A producer's properties.
   *
   * @param maxRequestBytes the record bound every Herald topic accepts (contracts' {@code
   *     Limits.MAX_RECORD_BYTES}), so the producer never refuses what a topic would take
   */
  public static Builder producer(
      String bootstrapServers, Map<String, String> passthrough, int maxRequestBytes) {
    return new Builder(bootstrapServers, passthrough)
        .role(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
  }

  /** A consumer's properties: in {@code groupId}, committing its offsets itself. */
  public static Builder consumer(
      String bootstrapServers, Map<String, String> passthrough, String groupId) {
    return new Builder(bootstrapServers, passthrough)
        .role(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"))
        .role(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
  }

  /**
   * A Kafka Streams application's properties: its {@code application.id} and the producer's record
   * bound (prefixed {@code producer.}) are owned. The keys are Streams' own, written out so that
   * this module needs no Kafka Streams dependency.
   */
  public static Builder streams(
      String bootstrapServers,
      Map<String, String> passthrough,
      String applicationId,
      int maxRequestBytes) {
    return new Builder(bootstrapServers, passthrough)
        .role("application.id", Objects.requireNonNull(applicationId, "applicationId"))
        .role("producer." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
  }

  /** An admin client's properties. */
  public static Builder admin(String bootstrapServers, Map<String, String> passthrough) {
    return new Builder(bootstrapServers, passthrough);
  }

  /** Collects the layers; {@link #toMap()} and {@link #toProperties()} merge them in order. */
  public static final class Builder {
    private final Map<String, Object> defaults = new LinkedHashMap<>();
    private final Map<String, String> passthrough;
    private final Map<String, Object> base = new LinkedHashMap<>();
    private final Map<String, Object> role = new LinkedHashMap<>();
    private final Map<String, Object> set = new LinkedHashMap<>();

    private Builder(String bootstrapServers, Map<String, String> passthrough) {
      this.passthrough = Map.copyOf(Objects.requireNonNull(passthrough, "passthrough"));
      base.put(
          CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
          Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
    }

    private Builder role(String key, Object value) {
      role.put(key, value);
      return this;
    }

    /** The client's id, for broker logs, quotas and client metrics. */
    public Builder clientId(String clientId) {
      base.put(CommonClientConfigs.CLIENT_ID_CONFIG, Objects.requireNonNull(clientId, "clientId"));
      return this;
    }

    /** A value the {@code KAFKA_*} passthrough may override. */
    public Builder byDefault(String key, Object value) {
      defaults.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    /** A value the code owns for this client: it wins over everything else. */
    public Builder set(String key, Object value) {
      set.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    public Map<String, Object> toMap() {
      Map<String, Object> p = new HashMap<>(defaults);
      p.putAll(passthrough);
      p.putAll(base);
      p.putAll(role);
      p.putAll(set);
      return p;
    }

    public Properties toProperties() {
      Properties p = new Properties();
      p.putAll(toMap());
      return p;
    }
  }
}
