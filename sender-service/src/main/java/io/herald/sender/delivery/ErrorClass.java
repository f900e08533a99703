package io.herald.sender.delivery;

import java.util.Locale;

/** How Herald treats a transport error code; the rows live in {@link OutcomeClassifier}. */
public enum ErrorClass {
  /** Retry with backoff. */
  TRANSIENT,
  /** Retry with backoff and slow the device down (adaptive pacing). */
  RATE_LIMITED,
  /**
   * The request may have been received (no answer in time, connection lost after the request was
   * written): reported {@code unknown} and never resent in at-most-once mode, retried with backoff
   * in at-least-once mode.
   */
  UNKNOWN,
  /** Fail at once. */
  PERMANENT,
  /** Fail, pause the device and alert; an operator resumes it. */
  ACCOUNT_DANGER;

  /**
   * Parses {@code transient | rate_limited | unknown | permanent | account_danger},
   * case-insensitive.
   */
  public static ErrorClass parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
