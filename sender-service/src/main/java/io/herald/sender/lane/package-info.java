/**
 * Per-device lanes: queues, pacing, retries, pause handling and the claim-send-record flow. The
 * {@link io.herald.sender.lane.Pacer} and {@link io.herald.sender.lane.RetryBackoff} are pure
 * (java.* and contracts only). No Kafka or JDBC types here: lanes talk to ports.
 */
package io.herald.sender.lane;
