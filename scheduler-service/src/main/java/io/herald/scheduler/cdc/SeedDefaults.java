package io.herald.scheduler.cdc;

import io.herald.contracts.event.PacingSpec;

/**
 * How the app Herald replaces read its own rows (ADR 0018), applied to rows when {@code
 * HERALD_SEED_COMPAT} is on (the default): pacing columns left null fall back to its defaults — a
 * delay of 5 s between messages, randomised, batches of 50 with a pause of 60 s between them —
 * where Herald alone would read null as "none"; and a broadcast saved as {@code draft} with a
 * {@code scheduled_at} fires like a scheduled one (the seed fired drafts once {@code scheduled_at}
 * had passed). Events produced straight onto the topics are not seed rows and are read as they are.
 */
final class SeedDefaults {

  static final int DELAY_SECONDS = 5;
  static final boolean RANDOMIZE = true;
  static final int BATCH_SIZE = 50;
  static final int PAUSE_BETWEEN_BATCHES_SECONDS = 60;

  private SeedDefaults() {}

  /** {@code p} with every null column replaced by the seed's default. */
  static PacingSpec pacing(PacingSpec p) {
    return new PacingSpec(
        p.delayType(),
        p.delaySeconds() == null ? DELAY_SECONDS : p.delaySeconds(),
        p.randomizeDelay() == null ? RANDOMIZE : p.randomizeDelay(),
        p.batchSize() == null ? BATCH_SIZE : p.batchSize(),
        p.pauseBetweenBatchesSeconds() == null
            ? PAUSE_BETWEEN_BATCHES_SECONDS
            : p.pauseBetweenBatchesSeconds());
  }

  /** True for a broadcast the seed would fire: a draft with a scheduled_at. */
  static boolean firesAsScheduled(String status, Object scheduledAt) {
    return "draft".equals(status) && scheduledAt != null;
  }
}
