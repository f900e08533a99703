package io.herald.sender.projector;

import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.serde.JsonSerde;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A delivery result read and not yet written by the {@link ResultProjector}: its record, and the
 * schedule occurrence it counts towards (null when there is nothing to write), or why it cannot be
 * read (then it is dead-lettered).
 */
final class PendingResult {

  private static final JsonSerde<DeliveryResult> SERDE = new JsonSerde<>(DeliveryResult.class);

  final ConsumerRecord<byte[], byte[]> record;
  final ProjectionTarget target;

  /**
   * A recipient the scheduler skipped at fan-out (a skipped result naming its recipient): it has no
   * ledger row until the projection writes one. Null for every other result.
   */
  final DeliveryResult skip;

  /** Why the record cannot be read, or null. */
  final String unreadable;

  final Exception cause;

  private PendingResult(
      ConsumerRecord<byte[], byte[]> record,
      ProjectionTarget target,
      DeliveryResult skip,
      String unreadable,
      Exception cause) {
    this.record = record;
    this.target = target;
    this.skip = skip;
    this.unreadable = unreadable;
    this.cause = cause;
  }

  /** Decodes one record; never throws: an unreadable record becomes one to dead-letter. */
  static PendingResult read(ConsumerRecord<byte[], byte[]> r) {
    DeliveryResult result;
    try {
      result = SERDE.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      return new PendingResult(r, null, null, "not a DeliveryResult", e);
    }
    if (result == null || result.kind() == null || result.scheduleKey() == null) {
      return new PendingResult(r, null, null, null, null); // nothing to project
    }
    UUID id = scheduleId(result.scheduleKey());
    boolean fanOutSkip =
        result.status() == DeliveryStatus.SKIPPED
            && result.recipient() != null
            && result.commandId() != null
            && id != null;
    return new PendingResult(
        r,
        id == null ? null : new ProjectionTarget(result.kind(), id, result.occurrenceAt()),
        fanOutSkip ? result : null,
        null,
        null);
  }

  /** The schedule id of {@code <kind>:<id>} (or a bare id), or null when it is not a uuid. */
  static UUID scheduleId(String scheduleKey) {
    int colon = scheduleKey.indexOf(':');
    try {
      return UUID.fromString(colon < 0 ? scheduleKey : scheduleKey.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
