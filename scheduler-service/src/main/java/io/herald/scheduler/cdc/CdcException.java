package io.herald.scheduler.cdc;

/**
 * A CDC batch could not be delivered to Kafka. Thrown out of the Debezium batch handler so that the
 * batch is not marked processed: the engine restarts and re-reads it from the last offsets.
 */
public final class CdcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CdcException(String message, Throwable cause) {
    super(message, cause);
  }
}
