package io.herald.sender.backlog;

/**
 * How much of a device's work a lane keeps in memory; the rest is parked. Budgets bound what one
 * device can hold of its partition's in-flight records (which hold back the partition's commit and,
 * at the partition's limit, its fetching), and a schedule's budget below the device's keeps room
 * for the device's other schedules.
 *
 * @param perDevice commands of one device kept in memory
 * @param perSchedule commands of one schedule of one device kept in memory
 * @param parkWhenHeld whether a held device's (paused, disconnected) queued commands are parked
 */
public record ReadAhead(int perDevice, int perSchedule, boolean parkWhenHeld) {

  /** Everything in memory, nothing parked: the behaviour without a backlog. */
  public static final ReadAhead UNBOUNDED =
      new ReadAhead(Integer.MAX_VALUE, Integer.MAX_VALUE, false);

  public ReadAhead {
    if (perDevice < 1 || perSchedule < 1) {
      throw new IllegalArgumentException("read-ahead budgets must be >= 1");
    }
    if (perSchedule > perDevice) {
      perSchedule = perDevice;
    }
  }

  /** Whether a lane parks a command of a schedule instead of queueing it. */
  public boolean park(
      boolean held, int parkedOfSchedule, int queuedOfSchedule, int queuedOfDevice) {
    if (held && parkWhenHeld) {
      return true;
    }
    // once a schedule has parked commands, its later ones park too: they come back in order
    return parkedOfSchedule > 0 || queuedOfSchedule >= perSchedule || queuedOfDevice >= perDevice;
  }

  /** How many of a schedule's parked commands a lane loads now (0: not now). */
  public int load(boolean held, int queuedOfSchedule, int queuedOfDevice) {
    if (held) {
      // one at a time: enough for the pre-checks to see whether the device is back
      return queuedOfDevice == 0 ? 1 : 0;
    }
    // below half the budget: loading in batches, not one command per finished one
    if (queuedOfDevice > perDevice / 2 || queuedOfSchedule > perSchedule / 2) {
      return 0;
    }
    return Math.min(perSchedule - queuedOfSchedule, perDevice - queuedOfDevice);
  }
}
