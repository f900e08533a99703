package io.herald.sender.lane;

import io.herald.sender.backlog.LaneSchedule;
import io.herald.sender.backlog.ParkedBacklog;
import io.herald.sender.backlog.ReadAhead;
import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.PartitionEpochs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the device lanes of one consumer and the small thread pool ({@code herald-lane-N}) their
 * steps run on. Lanes are keyed by (partition, device): revoking a partition stops exactly its
 * lanes.
 */
public final class LaneScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LaneScheduler.class);

  private record LaneKey(int partition, String deviceId) {}

  private final LaneContext ctx;
  private final ParkedBacklog backlog;
  private final ReadAhead readAhead;
  private final PartitionEpochs epochs;
  private final ScheduledThreadPoolExecutor executor;
  private final Map<LaneKey, DeviceLane> lanes = new ConcurrentHashMap<>();
  private final Map<Integer, ClaimOwner> owners = new ConcurrentHashMap<>();

  /** Lanes that keep every command in memory (no parked backlog). */
  public LaneScheduler(LaneContext ctx, int threads) {
    this(ctx, threads, ParkedBacklog.NONE, ReadAhead.UNBOUNDED);
  }

  /**
   * @param backlog where commands over a lane's read-ahead, or of a held device, are parked
   */
  public LaneScheduler(LaneContext ctx, int threads, ParkedBacklog backlog, ReadAhead readAhead) {
    this(ctx, threads, backlog, readAhead, PartitionEpochs.UNFENCED);
  }

  /**
   * @param epochs the fencing tokens of assigned partitions: every lane claims as its partition's
   *     owner of the current assignment (ADR 0017)
   */
  public LaneScheduler(
      LaneContext ctx,
      int threads,
      ParkedBacklog backlog,
      ReadAhead readAhead,
      PartitionEpochs epochs) {
    this.ctx = Objects.requireNonNull(ctx, "ctx");
    this.epochs = Objects.requireNonNull(epochs, "epochs");
    this.backlog = Objects.requireNonNull(backlog, "backlog");
    this.readAhead = Objects.requireNonNull(readAhead, "readAhead");
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, "herald-lane-" + n.incrementAndGet());
              t.setDaemon(true);
              t.setUncaughtExceptionHandler(
                  (th, ex) ->
                      log.error("Uncaught error in lane thread: thread={}", th.getName(), ex));
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    ctx.metrics()
        .bindLanes(this::depth, this::activeLanes, this::pausedLanes, this::maxAdaptiveFactor);
    ctx.metrics().bindParked(this::parked);
    ctx.metrics().bindInFlight(this::inFlight);
  }

  /** Hands a command to its device's lane. Called from the poll thread. */
  public void submit(PendingCommand p) {
    lane(p.partition(), p.command().deviceId()).enqueue(p);
  }

  /**
   * Newly assigned partitions: their epochs are bumped (the previous owner's claims are fenced off
   * from now on, ADR 0017), then their lanes learn what is parked for them before any of their
   * records arrive, so that later commands of a schedule queue behind its parked ones. Called from
   * the poll thread; throws when the epochs' or the backlog's store does not answer.
   */
  public void assigned(Collection<Integer> partitions) {
    Map<Integer, ClaimOwner> bumped = epochs.assign(partitions);
    owners.putAll(bumped);
    if (!bumped.isEmpty() && bumped.values().iterator().next().fenced()) {
      log.info("Partition epochs: owners={}", bumped.values());
    }
    Map<LaneSchedule, Integer> counts = backlog.counts(partitions);
    counts.forEach((ls, n) -> lane(ls.partition(), ls.deviceId()).restore(ls.scheduleKey(), n));
    if (!counts.isEmpty()) {
      log.info(
          "Parked commands found: partitions={} schedules={} commands={}",
          partitions,
          counts.size(),
          counts.values().stream().mapToInt(Integer::intValue).sum());
    }
  }

  private DeviceLane lane(int partition, String deviceId) {
    return lanes.computeIfAbsent(
        new LaneKey(partition, deviceId),
        k -> new DeviceLane(k.deviceId(), owner(k.partition()), ctx, executor, backlog, readAhead));
  }

  /** The owner of {@code partition}'s current assignment (bumped now if none was recorded). */
  private ClaimOwner owner(int partition) {
    return owners.computeIfAbsent(partition, p -> epochs.assign(List.of(p)).get(p));
  }

  /** Commands parked by the lanes and not in memory. */
  public int parked() {
    int n = 0;
    for (DeviceLane l : lanes.values()) {
      n += l.parked();
    }
    return n;
  }

  /**
   * Stops the lanes of {@code partitions}: queued commands are dropped (uncommitted, the next owner
   * reads them again), calls in flight get up to {@code timeout} to record their outcome.
   *
   * @return the number of lanes whose call did not finish in time (their claims become unknown)
   */
  public int revoke(Collection<Integer> partitions, Duration timeout) {
    Set<Integer> parts = Set.copyOf(partitions);
    List<Map.Entry<LaneKey, DeviceLane>> doomed = new ArrayList<>();
    for (Map.Entry<LaneKey, DeviceLane> en : lanes.entrySet()) {
      if (parts.contains(en.getKey().partition())) {
        doomed.add(en);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    int stuck = 0;
    for (Map.Entry<LaneKey, DeviceLane> en : doomed) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!en.getValue().close(Duration.ofNanos(left))) {
        stuck++;
      }
      lanes.remove(en.getKey());
    }
    // the next assignment bumps a new epoch; lanes closed here never claim again
    parts.forEach(owners::remove);
    if (!doomed.isEmpty()) {
      log.info(
          "Lanes stopped: partitions={} lanes={} stillInFlight={}", parts, doomed.size(), stuck);
    }
    return stuck;
  }

  /** Every partition with a lane. */
  public Set<Integer> partitions() {
    Set<Integer> s = ConcurrentHashMap.newKeySet();
    lanes.keySet().forEach(k -> s.add(k.partition()));
    return s;
  }

  /** Commands of every lane between their start and their outcome. */
  public int inFlight() {
    int n = 0;
    for (DeviceLane l : lanes.values()) {
      n += l.inFlight();
    }
    return n;
  }

  public int depth() {
    int d = 0;
    for (DeviceLane l : lanes.values()) {
      d += l.depth();
    }
    return d;
  }

  public int activeLanes() {
    int n = 0;
    for (DeviceLane l : lanes.values()) {
      if (l.depth() > 0) {
        n++;
      }
    }
    return n;
  }

  public int pausedLanes() {
    int n = 0;
    for (DeviceLane l : lanes.values()) {
      if (l.paused()) {
        n++;
      }
    }
    return n;
  }

  public double maxAdaptiveFactor() {
    double m = 1.0;
    for (DeviceLane l : lanes.values()) {
      m = Math.max(m, l.adaptiveFactor());
    }
    return m;
  }

  /** Stops every lane (waiting for calls in flight up to {@code timeout}) and the threads. */
  public void close(Duration timeout) {
    revoke(partitions(), timeout);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(20));
  }
}
