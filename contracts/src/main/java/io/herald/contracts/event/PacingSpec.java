package io.herald.contracts.event;

/**
 * Anti-ban pacing of a schedule, applied by the sender's device lane.
 *
 * @param delayType {@code auto | manual | adaptive}; null = auto
 * @param delaySeconds for manual: seconds between two messages of the device
 * @param randomizeDelay add random jitter to each delay
 * @param batchSize messages per batch before a pause; null or 0 = no batching
 * @param pauseBetweenBatchesSeconds pause after each batch, in seconds
 */
public record PacingSpec(
    String delayType,
    Integer delaySeconds,
    Boolean randomizeDelay,
    Integer batchSize,
    Integer pauseBetweenBatchesSeconds) {

  /** No pacing at all: used by benchmarks and tests that measure raw throughput. */
  public static PacingSpec none() {
    return new PacingSpec("manual", 0, false, null, null);
  }
}
