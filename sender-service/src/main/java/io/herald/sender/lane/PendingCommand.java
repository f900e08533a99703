package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import java.util.Objects;

/**
 * A command handed to the lanes, with where it came from.
 *
 * @param command the command
 * @param partition the source partition (lanes of a revoked partition are dropped)
 * @param offset the source offset, for logs
 * @param onRecorded called once the outcome is recorded and published (or the command needs no
 *     outcome, e.g. a suppressed duplicate): the offset may be committed; never called for a
 *     command dropped on revocation
 */
public record PendingCommand(SendCommand command, int partition, long offset, Runnable onRecorded) {
  public PendingCommand {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(onRecorded, "onRecorded");
  }
}
