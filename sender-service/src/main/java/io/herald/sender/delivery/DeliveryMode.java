package io.herald.sender.delivery;

/**
 * What happens to a command whose send may have happened without confirmation: claimed by an owner
 * that never confirmed it (a crash mid-call), or called without an answer (a timeout, a connection
 * lost after the request was written).
 */
public enum DeliveryMode {
  /** Report it as {@code unknown} and never resend it (the default: no duplicate messages). */
  AT_MOST_ONCE,
  /** Resend it: a duplicate is possible, a lost message is not. */
  AT_LEAST_ONCE
}
