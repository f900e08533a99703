package io.herald.sender.lane;

import io.herald.sender.backlog.ParkedCommand;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A device's queue: one FIFO per schedule, served in turn. A recurring message of one recipient
 * waits behind at most one command of each other schedule of the device, not behind a whole
 * broadcast; a schedule's own commands keep their order. Not thread-safe: the lane's lock guards
 * it.
 */
final class FairQueue implements Iterable<LaneEntry> {

  private final Map<String, ArrayDeque<LaneEntry>> bySchedule = new HashMap<>();
  // schedules with queued commands, the one served now first
  private final ArrayDeque<String> turn = new ArrayDeque<>();
  private int size;

  void add(LaneEntry e) {
    String key = ParkedCommand.scheduleKeyOf(e.cmd());
    ArrayDeque<LaneEntry> q = bySchedule.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (q.isEmpty()) {
      turn.addLast(key);
    }
    q.addLast(e);
    size++;
  }

  /** The command served now: the head of the schedule whose turn it is. */
  LaneEntry peek() {
    String key = turn.peekFirst();
    return key == null ? null : bySchedule.get(key).peekFirst();
  }

  /** Entries to start now, and when one that is not ready yet will be (null: none waits). */
  record Pick(List<LaneEntry> entries, Instant wakeAt) {}

  /**
   * Up to {@code n} entries to start now, in turn order: not active, ready ({@code readyAt} and
   * {@code notBefore} passed), and with no earlier message to the same recipient in flight or still
   * queued before them, so that a recipient gets one message at a time and in order. Looks at no
   * more than {@code scanLimit} entries: a lane's step costs O(n), not O(queue).
   */
  Pick pick(int n, Instant now, Set<String> recipientsInFlight, int scanLimit) {
    List<LaneEntry> out = new ArrayList<>(Math.min(n, 16));
    Set<String> seen = new HashSet<>();
    Instant wake = null;
    int scanned = 0;
    scan:
    for (String key : turn) {
      for (LaneEntry e : bySchedule.get(key)) {
        if (out.size() >= n) {
          break scan;
        }
        if (e.deferredByPolicy && !e.active && waiting(e, now)) {
          // deferred for hours by the messaging limit (ADR 0021): skipped without counting
          // against the scan, or a broadcast's deferred head would hide everything behind it;
          // its recipient's later messages still wait for it
          seen.add(e.cmd().recipient());
          Instant ready = later(e.readyAt, e.notBefore);
          wake = wake == null || ready.isBefore(wake) ? ready : wake;
          continue;
        }
        if (scanned++ >= scanLimit) {
          break scan;
        }
        String recipient = e.cmd().recipient();
        if (e.active || recipientsInFlight.contains(recipient) || !seen.add(recipient)) {
          continue;
        }
        Instant ready = later(e.readyAt, e.notBefore);
        if (ready != null && ready.isAfter(now)) {
          wake = wake == null || ready.isBefore(wake) ? ready : wake;
          continue;
        }
        out.add(e);
      }
    }
    return new Pick(out, wake);
  }

  private static boolean waiting(LaneEntry e, Instant now) {
    Instant ready = later(e.readyAt, e.notBefore);
    return ready != null && ready.isAfter(now);
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }

  /** Removes {@code e}; when it was the head served now, the turn passes to the next schedule. */
  boolean remove(LaneEntry e) {
    String key = ParkedCommand.scheduleKeyOf(e.cmd());
    ArrayDeque<LaneEntry> q = bySchedule.get(key);
    if (q == null) {
      return false;
    }
    boolean head = q.peekFirst() == e && key.equals(turn.peekFirst());
    if (!q.remove(e)) {
      return false;
    }
    size--;
    if (q.isEmpty()) {
      bySchedule.remove(key);
      turn.remove(key);
    } else if (head) {
      turn.pollFirst();
      turn.addLast(key);
    }
    return true;
  }

  /** Removes and returns every entry matching {@code which}, in queue order per schedule. */
  List<LaneEntry> removeIf(Predicate<LaneEntry> which) {
    List<LaneEntry> out = new ArrayList<>();
    for (LaneEntry e : this) {
      if (which.test(e)) {
        out.add(e);
      }
    }
    for (LaneEntry e : out) {
      remove(e);
    }
    return out;
  }

  /** The first command whose deadline passed, or null. */
  LaneEntry firstExpired(Instant now) {
    for (LaneEntry e : this) {
      Instant na = e.cmd().notAfter();
      if (na != null && now.isAfter(na)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Just past the earliest deadline ({@code notAfter}) among the queued commands when it comes
   * before {@code at}, else {@code at}: when a held lane wakes to expire what cannot wait.
   */
  Instant firstDeadlineBefore(Instant at) {
    Instant first = at;
    for (ArrayDeque<LaneEntry> q : bySchedule.values()) {
      for (LaneEntry e : q) {
        Instant na = e.cmd().notAfter();
        if (na != null && na.isBefore(first)) {
          first = na.plusMillis(1);
        }
      }
    }
    return first;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int sizeOf(String scheduleKey) {
    ArrayDeque<LaneEntry> q = bySchedule.get(scheduleKey);
    return q == null ? 0 : q.size();
  }

  void clear() {
    bySchedule.clear();
    turn.clear();
    size = 0;
  }

  @Override
  public Iterator<LaneEntry> iterator() {
    List<LaneEntry> all = new ArrayList<>(size);
    for (String key : turn) {
      all.addAll(bySchedule.get(key));
    }
    return all.iterator();
  }
}
