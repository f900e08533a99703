/**
 * The Kafka Streams topology: schedule changes into the schedules and timers stores, a wall-clock
 * punctuation that fires due timers and fans out send-commands. The only package that imports
 * {@code org.apache.kafka.streams}. It translates: reads records and stores, asks the pure {@code
 * schedule} package what to do, and writes the answer; no lifecycle rule lives here.
 */
package io.herald.scheduler.topology;
