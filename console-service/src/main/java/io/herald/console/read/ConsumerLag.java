package io.herald.console.read;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far Herald's consumer groups are behind: per group, per partition it committed, the end
 * offset minus the committed one, summed. A group that committed nothing yet adds nothing.
 */
public final class ConsumerLag {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final List<String> groups;

  public ConsumerLag(Admin admin, List<String> groups) {
    this.admin = admin;
    this.groups = List.copyOf(groups);
  }

  public List<String> groups() {
    return groups;
  }

  /** Lag per group, in the configured order. */
  public Map<String, Long> byGroup() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    try {
      for (String group : groups) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.forEach(
            (tp, o) -> {
              if (o != null) {
                latest.put(tp, OffsetSpec.latest());
              }
            });
        long lag = 0;
        if (!latest.isEmpty()) {
          Map<TopicPartition, ListOffsetsResultInfo> ends =
              admin.listOffsets(latest).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : ends.entrySet()) {
            lag += Math.max(0, e.getValue().offset() - committed.get(e.getKey()).offset());
          }
        }
        out.put(group, lag);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading consumer lag", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read consumer lag: " + e.getMessage(), e);
    }
  }

  public long total() {
    return byGroup().values().stream().mapToLong(Long::longValue).sum();
  }
}
