package io.herald.contracts.outcome;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Final outcome of a command, as recorded in {@code deliveries.status}. */
public enum DeliveryStatus {
  /** The transport accepted the message. */
  SENT,
  /** Permanent failure, or transient failures until attempts ran out. */
  FAILED,
  /** Claimed but never confirmed (a crash mid-call): not resent unless at-least-once is on. */
  UNKNOWN,
  /** Not sent on purpose: opted-out contact, or a duplicate of an id already sent or failed. */
  SKIPPED,
  /** Past its not-after deadline before it could be sent. */
  EXPIRED;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static DeliveryStatus fromWire(String value) {
    return value == null ? null : DeliveryStatus.valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
