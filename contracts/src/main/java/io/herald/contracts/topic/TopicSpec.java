package io.herald.contracts.topic;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with its typed serdes and what its key means. Instances are immutable constants of {@link
 * Topics}; serdes are stateless and safe to share.
 *
 * @param name topic name, {@code herald.<kebab-case-noun>}
 * @param keySerde serde of the key
 * @param valueSerde serde of the value
 * @param keyMeaning what the key is, for docs and tools
 * @param compacted whether the topic should be log-compacted (latest value per key is the state)
 */
public record TopicSpec<K, V>(
    String name, Serde<K> keySerde, Serde<V> valueSerde, String keyMeaning, boolean compacted) {

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (name.indexOf('_') >= 0) {
      // Kafka maps '.' and '_' to the same metric names: the two would collide.
      throw new IllegalArgumentException("topic names use '.' and '-', never '_': " + name);
    }
  }

  /**
   * The dead-letter topic of this topic: {@code <name>.dlq}, raw bytes with coordinates in headers.
   */
  public String dlqName() {
    return name + ".dlq";
  }
}
