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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  // per schedule: the offset up to which parked commands are in memory. Parks are not in offset
  // order (a lane that learns its device is held parks its queued commands after later ones it
  // had parked already), so a park that becomes durable behind it lowers it again
  private final Map<String, Long> loadedUpTo = new HashMap<>();
  // ids of loaded commands in memory (queued or in progress) whose rows are still in the store: a
  // load from a lowered cursor reads them again and skips them
  private final Set<String> inMemory = new HashSet<>();
  // per schedule: the highest offset parked, and park writes not yet durable behind it
  private final Map<String, Long> highestParked = new HashMap<>();
  private final Map<String, Integer> behind = new HashMap<>();
  // schedules with parked commands, in the order their loads take turns
  private final ArrayDeque<String> turn = new ArrayDeque<>();
  private boolean loading;
  private String loadingKey;
  // while a load runs: the lowest cursor a park or a put-back of its schedule asked for since
  private long lowDuringLoad;

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
    write(p, parking(ParkedCommand.scheduleKeyOf(p.command()), p.offset()));
  }

  /**
   * A queued command leaves memory while its device is held: parked, or (loaded from the store)
   * simply put back.
   */
  void holdBack(LaneEntry e) {
    if (e.fromBacklog) {
      putBack(
          ParkedCommand.scheduleKeyOf(e.cmd()), e.cmd().commandId().value(), e.pending.offset());
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
                              synchronized (lane) {
                                inMemory.remove(id);
                              }
                            })));
    e.fromBacklog = true;
    return e;
  }

  private void write(PendingCommand p, boolean behind) {
    String key = ParkedCommand.scheduleKeyOf(p.command());
    store
        .park(new ParkedCommand(p.command(), partition, p.offset()))
        .whenComplete(
            (v, err) -> {
              if (err == null) {
                synchronized (lane) {
                  parked(key, p.offset(), behind);
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
                executor.schedule(() -> write(p, behind), retry.toMillis(), TimeUnit.MILLISECONDS);
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

  /**
   * A command of {@code scheduleKey} goes to the store now; true when it goes behind a later one
   * parked already (loads of its schedule wait for it, so they keep source-offset order).
   */
  private boolean parking(String scheduleKey, long offset) {
    add(scheduleKey, 1);
    writing.merge(scheduleKey, 1, Integer::sum);
    long highest = highestParked.getOrDefault(scheduleKey, -1L);
    if (offset < highest) {
      behind.merge(scheduleKey, 1, Integer::sum);
      return true;
    }
    highestParked.put(scheduleKey, offset);
    return false;
  }

  /** A park write is durable: loads see it from now on, even behind the cursor. */
  private void parked(String scheduleKey, long offset, boolean wasBehind) {
    writing.merge(scheduleKey, -1, (a, b) -> a + b <= 0 ? null : a + b);
    if (wasBehind) {
      behind.merge(scheduleKey, -1, (a, b) -> a + b <= 0 ? null : a + b);
    }
    lower(scheduleKey, offset);
  }

  /**
   * A command loaded from the store leaves memory again (its device is held): it is still there.
   */
  private void putBack(String scheduleKey, String commandId, long offset) {
    add(scheduleKey, 1);
    inMemory.remove(commandId);
    lower(scheduleKey, offset);
  }

  /** The store has a command at {@code offset} that is not in memory: loads must reach it. */
  private void lower(String scheduleKey, long offset) {
    loadedUpTo.computeIfPresent(scheduleKey, (k, upTo) -> Math.min(upTo, offset - 1));
    if (loading && scheduleKey.equals(loadingKey)) {
      lowDuringLoad = Math.min(lowDuringLoad, offset - 1);
    }
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
      if (count(key) == writing.getOrDefault(key, 0) || behind.containsKey(key)) {
        continue; // nothing durable to load yet, or not in order: a write's completion wakes it
      }
      int limit = readAhead.load(held, queue.sizeOf(key), queue.size());
      if (limit <= 0) {
        return null;
      }
      loading = true;
      loadingKey = key;
      lowDuringLoad = Long.MAX_VALUE;
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
    long upTo = load.afterOffset();
    for (ParkedCommand c : got) {
      upTo = Math.max(upTo, c.offset());
      if (inMemory.add(c.command().commandId().value())) {
        fresh.add(c);
      }
    }
    // a park durable while the load ran may lie behind what it returned: not past that one
    loadedUpTo.put(key, Math.min(upTo, lowDuringLoad));
    add(key, -fresh.size());
    boolean exhausted = got.size() < load.limit();
    if (fresh.isEmpty() && exhausted && writing.getOrDefault(key, 0) == 0 && count(key) > 0) {
      if (load.afterOffset() >= 0) {
        loadedUpTo.put(key, -1L); // look once more from the start before believing the count
      } else {
        // the count outran the store (a write that failed for good, a row removed elsewhere)
        log.warn(
            "Parked count corrected: device={} partition={} counted={}",
            deviceId,
            partition,
            count(key));
        add(key, -count(key));
      }
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
      highestParked.remove(key);
      turn.remove(key); // loadedUpTo stays: loaded commands stay in the store until finished
    } else {
      if (!parked.containsKey(key)) {
        turn.addLast(key);
      }
      parked.put(key, now);
    }
  }
}
