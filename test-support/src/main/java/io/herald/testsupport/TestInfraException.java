package io.herald.testsupport;

/**
 * The harness could not provide a broker or database. The message says what to install or which
 * variable to set or unset, so that a failing build explains itself.
 */
public final class TestInfraException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TestInfraException(String message) {
    super(message);
  }

  public TestInfraException(String message, Throwable cause) {
    super(message, cause);
  }
}
