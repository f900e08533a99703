/**
 * What the scheduler keeps in its state stores and how it is encoded: the stored values ({@link
 * io.herald.scheduler.store.ScheduleState}, {@link io.herald.scheduler.store.FanOutJob}, {@link
 * io.herald.scheduler.store.RecipientChunk}) and their versioned binary format ({@link
 * io.herald.scheduler.store.StoreSerde}). The format is an on-disk and changelog contract: change
 * it only additively. Imports {@code contracts}, {@code schedule} and Kafka's {@code Serde}, never
 * Streams: the topology opens the stores.
 */
package io.herald.scheduler.store;
