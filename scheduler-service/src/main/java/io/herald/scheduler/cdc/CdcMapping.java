package io.herald.scheduler.cdc;

import io.herald.contracts.topic.TopicSpec;
import java.util.Set;

/** What {@link RowMapper} made of one Debezium change event. */
public sealed interface CdcMapping
    permits CdcMapping.Emit, CdcMapping.StateOnly, CdcMapping.Ignored {

  /** Source table, or null when the event named none. */
  String table();

  /**
   * A canonical event to produce.
   *
   * @param table source table
   * @param op {@code create | read | update | delete} (read = snapshot)
   * @param topic where the event goes
   * @param key the Kafka key (schedule key, device id or contact id)
   * @param value the event
   * @param sourceTsMs commit time of the change in the source, epoch millis (0 when unknown)
   * @param cutValues how many values the mapper cut or dropped to keep the event within {@code
   *     Limits} (contacts and devices; always 0 for schedule changes)
   */
  record Emit<V>(
      String table,
      String op,
      TopicSpec<String, V> topic,
      String key,
      V value,
      long sourceTsMs,
      int cutValues)
      implements CdcMapping {

    /** An event nothing was cut from. */
    public Emit(
        String table, String op, TopicSpec<String, V> topic, String key, V value, long sourceTsMs) {
      this(table, op, topic, key, value, sourceTsMs, 0);
    }

    /** The value in the topic's wire format. */
    public byte[] serializedValue() {
      return topic.valueSerde().serializer().serialize(topic.name(), value);
    }
  }

  /**
   * An update that touched only columns Herald writes itself: dropped so that the write-back never
   * feeds back into the scheduler (invariant 5).
   *
   * @param changedColumns the columns that differ between before and after (may be empty)
   */
  record StateOnly(String table, Set<String> changedColumns) implements CdcMapping {
    public StateOnly {
      changedColumns = Set.copyOf(changedColumns);
    }
  }

  /** Nothing to produce (tombstone, truncate, unknown table); {@code reason} says why. */
  record Ignored(String table, String reason) implements CdcMapping {}
}
