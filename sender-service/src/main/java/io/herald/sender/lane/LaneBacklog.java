package io.herald.sender.lane;

import io.herald.sender.backlog.LaneSchedule;
import io.herald.sender.backlog.ParkedBacklog;
import io.herald.sender.backlog.ParkedCommand;
import io.herald.sender.backlog.ReadAhead;
import io.herald.sender.metrics.SenderMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a device's work its lane keeps out of memory (ADR 0014): which schedules have parked
 * commands, how many, and up to where each was loaded back. Every method runs under the lane's
 * lock; the store's answers come back through the lane ({@link DeviceLane#onParked}, {@link
 * DeviceLane#onLoaded}), which takes the lock again.
 */
final class LaneBacklog {

  private static final Logger log = LoggerFactory.getLogger(LaneBacklog.class);

  /** A load to start: {@code limit} commands of {@code lane} after {@code afterOffset}. */
  record Load(LaneSchedule lane, long afterOffset, int limit) {}

  private final ParkedBacklog store;
  private final ReadAhead readAhead;
  private final int partition;
  private final String deviceId;
  private final DeviceLane lane;
  private final ScheduledExecutorService executor;
  private final Duration retry;
  private final SenderMetrics metrics;
  // per schedule: commands parked and not in memory (written, or being written)
  private final Map<String, Integer> parked = new HashMap<>();
  // per schedule: park writes not yet durable (a load may not see them yet)
  private final Map<String, Integer> writing = new HashMap<>();
  // per schedule: the offset up to which parked commands are in memory
  private final Map<String, Long> loadedUpTo = new HashMap<>();
  // schedules with parked commands, in the order their loads take turns
  private final ArrayDeque<String> turn = new ArrayDeque<>();
  private boolean loading;

  LaneBacklog(
      ParkedBacklog store,
      ReadAhead readAhead,
      DeviceLane lane,
      ScheduledExecutorService executor,
      LaneContext ctx) {
    this.store = store;
    this.readAhead = store == ParkedBacklog.NONE ? ReadAhead.UNBOUNDED : readAhead;
    this.partition = lane.partition();
    this.deviceId = lane.deviceId();
    this.lane = lane;
    this.executor = executor;
    this.retry = ctx.settings().errorRetry();
    this.metrics = ctx.metrics();
  }

  /** Parks {@code p}: counted now, its offset released once the store has it. */
  void park(PendingCommand p) {
    parking(ParkedCommand.scheduleKeyOf(p.command()));
    write(p);
  }

  /**
   * A queued command leaves memory while its device is held: parked, or (loaded from the store)
   * simply put back.
   */
  void holdBack(LaneEntry e) {
    if (e.fromBacklog) {
      putBack(ParkedCommand.scheduleKeyOf(e.cmd()), e.pending.offset());
    } else {
      park(e.pending);
    }
  }

  /** Whether a held device's queued commands leave memory. */
  boolean parksWhenHeld() {
    return readAhead.parkWhenHeld();
  }

  /** Starts {@code load}; its answer comes back through {@link DeviceLane#onLoaded}. */
  void start(Load load) {
    store
        .next(load.lane(), load.afterOffset(), load.limit())
        .whenComplete((got, err) -> lane.onLoaded(load, got, err));
  }

  /** The lane entry of a command loaded from the store: finishing it removes it there. */
  LaneEntry entry(ParkedCommand c) {
    String id = c.command().commandId().value();
    LaneEntry e =
        new LaneEntry(
            new PendingCommand(
                c.command(),
                partition,
                c.offset(),
                () ->
                    store
                        .remove(id)
                        .whenComplete(
                            (v, err) -> {
                              if (err != null) {
                                // stays parked: loaded again later, the ledger stops a resend
                                log.warn(
                                    "Parked command not removed: commandId={} error={}",
                                    id,
                                    err.toString());
                              }
                            })));
    e.fromBacklog = true;
    return e;
  }

  private void write(PendingCommand p) {
    String key = ParkedCommand.scheduleKeyOf(p.command());
    store
        .park(new ParkedCommand(p.command(), partition, p.offset()))
        .whenComplete(
            (v, err) -> {
              if (err == null) {
                synchronized (lane) {
                  parked(key);
                }
                metrics.parked();
                p.onRecorded().run();
                lane.kick();
              } else if (!lane.isClosed()) {
                log.warn(
                    "Parking failed, retrying: device={} partition={} offset={} error={}",
                    deviceId,
                    partition,
                    p.offset(),
                    err.toString());
                executor.schedule(() -> write(p), retry.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
  }

  /** Parked commands not in memory. */
  int total() {
    return parked.values().stream().mapToInt(Integer::intValue).sum();
  }

  boolean shouldPark(String scheduleKey, FairQueue queue, boolean held) {
    return readAhead.park(held, count(scheduleKey), queue.sizeOf(scheduleKey), queue.size());
  }

  /** A command of {@code scheduleKey} goes to the store now. */
  private void parking(String scheduleKey) {
    add(scheduleKey, 1);
    writing.merge(scheduleKey, 1, Integer::sum);
  }

  /** A park write is durable. */
  private void parked(String scheduleKey) {
    writing.merge(scheduleKey, -1, (a, b) -> a + b <= 0 ? null : a + b);
  }

  /**
   * A command loaded from the store leaves memory again (its device is held): it is still there.
   */
  private void putBack(String scheduleKey, long offset) {
    add(scheduleKey, 1);
    loadedUpTo.merge(scheduleKey, offset - 1, Math::min);
  }

  /** Parked commands found in the store when the lane's partition was assigned. */
  void restore(String scheduleKey, int n) {
    add(scheduleKey, n);
  }

  /** Starts the next load the budgets allow, if any; its answer comes to {@link #loaded}. */
  void startNext(FairQueue queue, boolean held) {
    Load load = nextLoad(queue, held);
    if (load != null) {
      start(load);
    }
  }

  /** The load to start now, if any; the lane calls {@link #loaded} with its answer. */
  Load nextLoad(FairQueue queue, boolean held) {
    if (loading || parked.isEmpty()) {
      return null;
    }
    for (int tries = turn.size(); tries > 0; tries--) {
      String key = turn.pollFirst();
      turn.addLast(key);
      if (count(key) == writing.getOrDefault(key, 0)) {
        continue; // nothing durable to load yet: the write's completion wakes the lane
      }
      int limit = readAhead.load(held, queue.sizeOf(key), queue.size());
      if (limit <= 0) {
        return null;
      }
      loading = true;
      return new Load(
          new LaneSchedule(partition, deviceId, key), loadedUpTo.getOrDefault(key, -1L), limit);
    }
    return null;
  }

  /** What a load returned; the entries to queue, in order. */
  List<ParkedCommand> loaded(Load load, List<ParkedCommand> got) {
    loading = false;
    String key = load.lane().scheduleKey();
    List<ParkedCommand> fresh = new ArrayList<>(got.size());
    long upTo = loadedUpTo.getOrDefault(key, -1L);
    for (ParkedCommand c : got) {
      if (c.offset() > upTo) {
        fresh.add(c);
        upTo = c.offset();
      }
    }
    loadedUpTo.put(key, upTo);
    add(key, -fresh.size());
    if (fresh.isEmpty() && writing.getOrDefault(key, 0) == 0 && count(key) > 0) {
      // the count outran the store (a write that failed for good, a row removed elsewhere)
      log.warn(
          "Parked count corrected: device={} partition={} counted={}",
          deviceId,
          partition,
          count(key));
      add(key, -count(key));
    }
    return fresh;
  }

  /** A load failed; the lane tries again later. */
  void loadFailed() {
    loading = false;
  }

  private int count(String key) {
    return parked.getOrDefault(key, 0);
  }

  private void add(String key, int n) {
    int now = count(key) + n;
    if (now <= 0) {
      parked.remove(key);
      turn.remove(key); // loadedUpTo stays: loaded commands stay in the store until finished
    } else {
      if (!parked.containsKey(key)) {
        turn.addLast(key);
      }
      parked.put(key, now);
    }
  }
}
