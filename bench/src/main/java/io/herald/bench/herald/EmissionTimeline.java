package io.herald.bench.herald;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.common.utils.Utils;

/**
 * When each input partition produced output: for a scheduler, the record timestamps of the
 * send-commands fired by the schedules of each {@code herald.schedule-changes} partition; for a
 * sender, the timestamps of the delivery results of each {@code herald.send-commands} partition.
 * From these the scale scenario dates a rebalance's pause per partition.
 */
final class EmissionTimeline {

  private final long[][] byPartition;

  private EmissionTimeline(long[][] byPartition) {
    this.byPartition = byPartition;
  }

  /** Collects timestamps per partition, then {@link #build()}. */
  static final class Builder {
    private final List<List<Long>> times = new ArrayList<>();

    Builder(int partitions) {
      for (int p = 0; p < partitions; p++) {
        times.add(new ArrayList<>());
      }
    }

    void add(int partition, long timestamp) {
      times.get(partition).add(timestamp);
    }

    EmissionTimeline build() {
      long[][] out = new long[times.size()][];
      for (int p = 0; p < out.length; p++) {
        out[p] = times.get(p).stream().mapToLong(Long::longValue).sorted().toArray();
      }
      return new EmissionTimeline(out);
    }
  }

  /** The partition Kafka's default partitioner picks for {@code key} (murmur2 of its UTF-8). */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * The moment every partition has produced output at or after {@code t}: the latest of the
   * partitions' first timestamps ≥ t; empty when a partition produced nothing after {@code t}.
   */
  OptionalLong everyPartitionAfter(long t) {
    long latest = Long.MIN_VALUE;
    for (long[] times : byPartition) {
      int i = firstIndexAtOrAfter(times, t);
      if (i >= times.length) {
        return OptionalLong.empty();
      }
      latest = Math.max(latest, times[i]);
    }
    return OptionalLong.of(latest);
  }

  /**
   * The longest time any partition went without output, over gaps that end in {@code (from, to]} (a
   * pause that began before {@code from} counts whole).
   */
  long longestGap(long from, long to) {
    long longest = 0;
    for (long[] times : byPartition) {
      for (int i = Math.max(1, firstIndexAtOrAfter(times, from)); i < times.length; i++) {
        if (times[i] > to) {
          break;
        }
        if (times[i] > from) {
          longest = Math.max(longest, times[i] - times[i - 1]);
        }
      }
    }
    return longest;
  }

  private static int firstIndexAtOrAfter(long[] sorted, long t) {
    int i = Arrays.binarySearch(sorted, t);
    if (i < 0) {
      return -i - 1;
    }
    while (i > 0 && sorted[i - 1] == t) {
      i--;
    }
    return i;
  }
}
