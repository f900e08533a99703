/**
 * The Kafka Streams topology: schedule changes into the schedules and timers stores, a
 * wall-clock punctuation that fires due timers and fans out send-commands. The only package that
 * imports {@code org.apache.kafka.streams}; its pure rules live in {@code schedule}.
 */
package io.herald.scheduler.topology;
