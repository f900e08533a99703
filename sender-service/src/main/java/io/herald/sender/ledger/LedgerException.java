package io.herald.sender.ledger;

/** A database operation of the ledger or a directory failed; the lane retries the step later. */
public final class LedgerException extends RuntimeException {
  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
