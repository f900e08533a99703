/**
 * The schedule lifecycle, pure: what a change, a due timer or a held schedule's re-check does to a
 * schedule's standing ({@link io.herald.scheduler.schedule.ScheduleLifecycle} returns a {@link
 * io.herald.scheduler.schedule.Decision}), plus definition validation and recipient parsing. Works
 * on its own {@link io.herald.scheduler.schedule.Definition}, never on the wire {@code
 * ScheduleChange}: the topology translates one into the other. Imports only {@code java.*}, {@code
 * contracts}, {@code rule} and {@code render}; never Kafka, a store or a logger: the topology reads
 * the stores, asks here, and applies the answer.
 */
package io.herald.scheduler.schedule;
