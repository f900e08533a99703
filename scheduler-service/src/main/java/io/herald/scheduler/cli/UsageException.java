package io.herald.scheduler.cli;

/** A command line that cannot be understood; its message is one line meant for the user. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
