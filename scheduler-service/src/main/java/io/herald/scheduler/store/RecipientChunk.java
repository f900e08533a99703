package io.herald.scheduler.store;

import java.util.List;

/**
 * One slice of a schedule's canonical recipients, the value of the {@code recipients} store.
 *
 * @param recipients at most the topology's chunk size (1,000) canonical recipients
 */
public record RecipientChunk(List<String> recipients) {

  public RecipientChunk {
    recipients = recipients == null ? List.of() : List.copyOf(recipients);
  }
}
