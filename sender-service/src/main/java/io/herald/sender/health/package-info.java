/**
 * Gateway device health (issue 19 §3): a loop asks each {@code http_gateway} device's gateway for
 * its session state and marks a device whose session is lost {@code disconnected}, so the lanes'
 * existing hold parks its commands (ADR 0015), and lifts its own mark when the session is back.
 * {@link io.herald.sender.health.GatewayKind}, {@link io.herald.sender.health.ProbeResult} and
 * {@link io.herald.sender.health.HealthDecision} are pure; {@code GatewayProbe} (HTTP, under the
 * same {@code DevicePolicy} as the transport) and {@code JdbcDeviceHealth} (compare-and-set writes)
 * are the edges. No Kafka here, and nothing from {@code lane/}.
 */
package io.herald.sender.health;
