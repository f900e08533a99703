package io.herald.sender.delivery;

/** What a transport call tells the device's pacer. */
public enum AttemptSignal {
  /** Accepted. */
  SUCCESS,
  /** "Too fast": an adaptive pacer slows down. */
  RATE_LIMITED,
  /** Any other failure or an answer that says nothing. */
  OTHER
}
