/**
 * The Kafka Streams topology: schedule changes into the schedules and timers stores, a
 * wall-clock punctuation that fires due timers and fans out send-commands. The only package that
 * imports {@code org.apache.kafka.streams}; the pure helpers here (validator, recipients) import
 * neither Streams nor any store type.
 */
package io.herald.scheduler.topology;
