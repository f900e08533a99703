/**
 * The Kafka side: the consumer of {@code herald.send-commands} (rebalances, pause/resume, commits,
 * dead letters) and the pure {@link io.herald.sender.consume.CommittableOffsets}, which imports
 * only {@code java.*}. Must not touch JDBC.
 */
package io.herald.sender.consume;
