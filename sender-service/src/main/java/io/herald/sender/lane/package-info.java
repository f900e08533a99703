/**
 * Per-device lanes: queues and stepping ({@link io.herald.sender.lane.DeviceLane}), pacing, and the
 * step classes of the claim-send-record flow, which act on what the pure {@code delivery} package
 * decides. The {@link io.herald.sender.lane.Pacer} and {@link io.herald.sender.lane.RetryBackoff}
 * are pure (java.* and contracts only). No Kafka or JDBC types here: lanes talk to ports.
 */
package io.herald.sender.lane;
