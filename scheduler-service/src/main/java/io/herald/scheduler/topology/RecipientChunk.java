package io.herald.scheduler.topology;

import java.util.List;

/**
 * One slice of a schedule's canonical recipients, the value of the {@code recipients} store.
 *
 * @param recipients at most {@link SchedulerStores#CHUNK_SIZE} canonical recipients
 */
record RecipientChunk(List<String> recipients) {

  RecipientChunk {
    recipients = recipients == null ? List.of() : List.copyOf(recipients);
  }
}
