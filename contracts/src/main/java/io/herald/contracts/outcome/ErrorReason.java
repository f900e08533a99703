package io.herald.contracts.outcome;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Machine-readable class of a {@link ScheduleError}; the human reasons travel beside it. */
public enum ErrorReason {
  /** The timing rule is invalid (frequency, interval, days, day of month, cron, dates). */
  INVALID_RULE,
  /** The time zone is not an IANA zone id. */
  UNKNOWN_TIMEZONE,
  /** Recipients are missing, not an array, malformed, or too many. */
  INVALID_RECIPIENTS,
  /** Neither message text nor media, or a media URL that is not http(s). */
  INVALID_CONTENT,
  /** The device id is unknown. */
  UNKNOWN_DEVICE,
  /** The device belongs to another tenant. */
  FOREIGN_DEVICE,
  /** Required fields are missing from a directly produced change. */
  MISSING_FIELD,
  /** Pacing values are out of range. */
  INVALID_PACING,
  /** The definition, or one of its fields, is over a documented bound (see Limits). */
  TOO_LARGE,
  /**
   * The definition passed validation but could not be processed (a defect or an unforeseen input);
   * it was set aside so that nothing else is disturbed.
   */
  UNPROCESSABLE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ErrorReason fromWire(String value) {
    return value == null ? null : ErrorReason.valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
