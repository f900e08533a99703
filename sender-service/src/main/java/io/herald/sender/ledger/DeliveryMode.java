package io.herald.sender.ledger;

/** What the ledger does with a command claimed by an owner that never confirmed it. */
public enum DeliveryMode {
  /** Report it as {@code unknown} and never resend it (the default: no duplicate messages). */
  AT_MOST_ONCE,
  /** Resend it: a duplicate is possible, a lost message is not. */
  AT_LEAST_ONCE
}
