package io.herald.sender.backlog;

import io.herald.contracts.command.SendCommand;
import java.util.Objects;

/**
 * A command parked for its lane.
 *
 * @param command the command as it was read from the topic
 * @param partition the topic partition it was read from: the lane's partition
 * @param offset its offset there: the order the lane works a schedule's commands in
 */
public record ParkedCommand(SendCommand command, int partition, long offset) {
  public ParkedCommand {
    Objects.requireNonNull(command, "command");
  }

  /** The schedule the command belongs to; commands without one share a queue. */
  public String scheduleKey() {
    return scheduleKeyOf(command);
  }

  /** The queue key of {@code command} within its device's lane. */
  public static String scheduleKeyOf(SendCommand command) {
    return command.scheduleKey() == null ? "" : command.scheduleKey();
  }
}
