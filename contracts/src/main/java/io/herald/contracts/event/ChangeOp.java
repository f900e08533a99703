package io.herald.contracts.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a {@link ScheduleChange} does to the schedule it names. */
public enum ChangeOp {
  /** Create or replace the definition (an inactive definition cancels pending work). */
  UPSERT,
  /** The definition is gone: cancel its timer and any unfinished fan-out. */
  DELETE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ChangeOp fromWire(String value) {
    if (value == null) {
      return null;
    }
    return ChangeOp.valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
