package io.herald.contracts.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The four schedule kinds share one pipeline; broadcasts cover both "now" and "scheduled". */
public enum ScheduleKind {
  RECURRING("recurring"),
  BROADCAST("broadcast"),
  AUTOPOST("autopost");

  private final String wire;

  ScheduleKind(String wire) {
    this.wire = wire;
  }

  /** The lower-case name used on the wire and as the prefix of schedule keys. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Builds the schedule key used as the Kafka key of schedule changes: {@code <kind>:<id>}. */
  public String keyFor(String id) {
    return wire + ":" + id;
  }

  @JsonCreator
  public static ScheduleKind fromWire(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (ScheduleKind k : values()) {
      if (k.wire.equals(v)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown schedule kind '" + value + "' (expected recurring, broadcast or autopost)");
  }
}
