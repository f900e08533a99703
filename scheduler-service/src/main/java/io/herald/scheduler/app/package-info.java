/**
 * The scheduler's entry point: reads config, provisions topics, starts the admin server, Kafka
 * Streams and the pluggable components (CDC engine, state projector) in dependency order, and
 * closes them in reverse with bounded waits. Wiring only: no domain logic, no Streams types.
 */
package io.herald.scheduler.app;
