package io.herald.sender.lane;

import io.herald.sender.backlog.ParkedCommand;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
