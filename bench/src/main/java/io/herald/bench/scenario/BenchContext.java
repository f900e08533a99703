package io.herald.bench.scenario;

import io.herald.bench.infra.BenchInfra;
import io.herald.bench.peer.BullMqPeer;
import io.herald.bench.peer.DbSchedulerPeer;
import io.herald.bench.peer.PeerScheduler;
import io.herald.bench.peer.QuartzPeer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a scenario gets: the shared infrastructure, the run mode, and the peers to compare with.
 *
 * @param smoke tiny sizes, for CI and a quick check that everything still runs
 * @param runId distinguishes topics and consumer groups of this run from earlier ones
 * @param systems the systems to run; empty means all
 * @param stateSize schedules of the state scenario ({@code --state-size}); 0 means its default
 */
public record BenchContext(
    BenchInfra infra, boolean smoke, String runId, Set<String> systems, int stateSize) {

  public BenchContext(BenchInfra infra, boolean smoke, String runId, Set<String> systems) {
    this(infra, smoke, runId, systems, 0);
  }

  private static final Logger log = LoggerFactory.getLogger(BenchContext.class);

  /**
   * The peers, in the order they run: db-scheduler, Quartz, then BullMQ with the seed's settings
   * and tuned (where this host has redis-server and node; see {@link #skippedPeers()}).
   */
  public List<Function<BenchInfra, PeerScheduler>> peers() {
    List<Function<BenchInfra, PeerScheduler>> peers = new java.util.ArrayList<>();
    if (runs("db-scheduler")) {
      peers.add(DbSchedulerPeer::new);
    }
    if (runs("quartz")) {
      peers.add(QuartzPeer::new);
    }
    for (BullMqPeer.Variant v : bullMqVariants()) {
      peers.add(infra -> new BullMqPeer(v));
    }
    return peers;
  }

  /** The BullMQ variants selected and runnable on this host. */
  public List<BullMqPeer.Variant> bullMqVariants() {
    if (BullMqPeer.unavailable().isPresent()) {
      return List.of();
    }
    return java.util.Arrays.stream(BullMqPeer.Variant.values())
        .filter(v -> runs(v.system()))
        .toList();
  }

  /**
   * Notes for the results on selected peers this host cannot run (BullMQ without redis-server or
   * node): their rows are skipped, not failed.
   */
  public List<String> skippedPeers() {
    List<String> selected =
        java.util.Arrays.stream(BullMqPeer.Variant.values())
            .map(BullMqPeer.Variant::system)
            .filter(this::runs)
            .toList();
    return selected.isEmpty() || BullMqPeer.unavailable().isEmpty()
        ? List.of()
        : List.of(
            String.join(", ", selected)
                + ": skipped on this host, "
                + BullMqPeer.unavailable().get()
                + ".");
  }

  /**
   * Whether {@code system} (herald, db-scheduler, quartz, bullmq-seed, bullmq-tuned) is part of
   * this run.
   */
  public boolean runs(String system) {
    return systems.isEmpty() || systems.contains(system);
  }

  /** {@code full} when not smoke. */
  public String mode() {
    return smoke ? "smoke" : "full";
  }

  /** A size: the full one, or the smoke one. */
  public int size(int full, int smokeSize) {
    return smoke ? smokeSize : full;
  }

  public long millis(long full, long smokeMillis) {
    return smoke ? smokeMillis : full;
  }

  public void progress(String format, Object... args) {
    log.info(String.format(Locale.ROOT, format, args));
  }

  /** Sleeps until the wall clock reaches {@code epochMillis}. */
  public static void sleepUntil(long epochMillis) throws InterruptedException {
    long wait;
    while ((wait = epochMillis - System.currentTimeMillis()) > 0) {
      Thread.sleep(Math.min(wait, 200));
    }
  }
}
