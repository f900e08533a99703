package io.herald.sender.lane;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of a lane's commands start now, and which are in flight: at most W ({@link LaneWindow}) at
 * once, as many as the pacer allows now, one per recipient. Not thread-safe: the lane's lock guards
 * it, as it guards the queue it picks from.
 */
final class LaneSlots {

  /** What a look at the queue found: entries to start, or when to look again (null: at an end). */
  record Starts(List<LaneEntry> entries, Instant lookAgainAt) {
    static final Starts NONE = new Starts(List.of(), null);
  }

  private final FairQueue queue;
  private final Pacer pacer;
  private final LaneWindow window;
  private final Set<String> recipientsInFlight = new HashSet<>();
  private int inFlight;

  LaneSlots(FairQueue queue, Pacer pacer, LaneWindow window) {
    this.queue = queue;
    this.pacer = pacer;
    this.window = window;
  }

  int inFlight() {
    return inFlight;
  }

  /**
   * The entries to start now, made active. A held device starts one command at a time, the expired
   * first, to learn when it is back and to expire what cannot wait.
   */
  Starts pick(Instant now, boolean held) {
    if (held) {
      if (inFlight > 0 || queue.isEmpty()) {
        return Starts.NONE;
      }
      LaneEntry e = queue.firstExpired(now);
      return new Starts(List.of(activate(e != null ? e : queue.peek())), null);
    }
    int free = window.size(pacer.lastGap()) - inFlight;
    if (free <= 0 || queue.isEmpty()) {
      return Starts.NONE; // a call's end looks again
    }
    int starts = pacer.startsNow(window.cap());
    if (starts <= 0) {
      return new Starts(List.of(), pacer.earliestFor(null, window.cap()));
    }
    int n = Math.min(free, starts);
    FairQueue.Pick pick = queue.pick(n, now, recipientsInFlight, 4 * n + 64);
    for (LaneEntry e : pick.entries()) {
      activate(e);
    }
    return new Starts(pick.entries(), pick.entries().isEmpty() ? pick.wakeAt() : null);
  }

  private LaneEntry activate(LaneEntry e) {
    e.active = true;
    inFlight++;
    recipientsInFlight.add(e.cmd().recipient());
    return e;
  }

  /** Ends {@code e}'s step chain; a slot it reserved and did not call with goes back. */
  void release(LaneEntry e) {
    if (e.active) {
      e.active = false;
      inFlight--;
      recipientsInFlight.remove(e.cmd().recipient());
    }
    if (e.reservation != null) {
      pacer.cancel(e.reservation);
      e.reservation = null;
    }
  }
}
