/**
 * Schedule rules that need neither Kafka nor a store: definition validation (every problem at
 * once) and recipient parsing, and the statuses a schedule moves through. Imports only {@code
 * java.*}, {@code contracts}, {@code rule} and {@code render}.
 */
package io.herald.scheduler.schedule;
