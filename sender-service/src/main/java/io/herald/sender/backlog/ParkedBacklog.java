package io.herald.sender.backlog;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where lanes park commands durably. Parking is idempotent per command id (a record read again
 * after a crash parks nothing new); a parked command stays until its outcome is recorded, so a
 * crash between loading and finishing loses nothing (the ledger's claim stops a second send).
 */
public interface ParkedBacklog {

  /** Parks {@code command}; completes once it is durable. Calls keep their order. */
  CompletableFuture<Void> park(ParkedCommand command);

  /**
   * The next parked commands of one lane's schedule after {@code afterOffset}, in offset order, at
   * most {@code limit}.
   */
  CompletableFuture<List<ParkedCommand>> next(LaneSchedule lane, long afterOffset, int limit);

  /** Forgets a parked command whose outcome is recorded. */
  CompletableFuture<Void> remove(String commandId);

  /**
   * How many commands are parked per lane schedule of {@code partitions}: read when partitions are
   * assigned, before their records reach the lanes. Blocks; throws when the store does not answer.
   */
  Map<LaneSchedule, Integer> counts(Collection<Integer> partitions);

  /** No backlog: lanes keep everything in memory (tests and tools that run without a database). */
  ParkedBacklog NONE =
      new ParkedBacklog() {
        @Override
        public CompletableFuture<Void> park(ParkedCommand command) {
          return CompletableFuture.failedFuture(new UnsupportedOperationException("no backlog"));
        }

        @Override
        public CompletableFuture<List<ParkedCommand>> next(
            LaneSchedule lane, long afterOffset, int limit) {
          return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<Void> remove(String commandId) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public Map<LaneSchedule, Integer> counts(Collection<Integer> partitions) {
          return Map.of();
        }
      };
}
