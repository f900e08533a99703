package io.herald.sender.consume;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the send-command consumer.
 *
 * @param topic the send-commands topic
 * @param dlqTopic where unreadable records go
 * @param maxInFlightPerPartition fetching of a partition pauses above this many records without an
 *     outcome, and resumes below half of it
 * @param revokeTimeout how long a revoked partition's calls in flight may take to finish
 * @param commitInterval how often committable offsets are committed
 */
public record ConsumerSettings(
    String topic,
    String dlqTopic,
    int maxInFlightPerPartition,
    Duration revokeTimeout,
    Duration commitInterval) {
  public ConsumerSettings {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(dlqTopic, "dlqTopic");
    Objects.requireNonNull(revokeTimeout, "revokeTimeout");
    Objects.requireNonNull(commitInterval, "commitInterval");
  }
}
