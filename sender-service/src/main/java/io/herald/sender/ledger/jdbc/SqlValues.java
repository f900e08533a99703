package io.herald.sender.ledger.jdbc;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/** Conversions between contract values and SQL parameters. */
public final class SqlValues {

  private SqlValues() {}

  /** The UUID in {@code value}, or null when it is not one (the row is still written). */
  public static UUID uuidOrNull(String value) {
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The id part of a schedule key {@code <kind>:<id>} as a UUID, or null. */
  public static UUID scheduleId(String scheduleKey) {
    if (scheduleKey == null) {
      return null;
    }
    int colon = scheduleKey.indexOf(':');
    return uuidOrNull(colon < 0 ? scheduleKey : scheduleKey.substring(colon + 1));
  }

  public static Timestamp ts(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }

  public static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
