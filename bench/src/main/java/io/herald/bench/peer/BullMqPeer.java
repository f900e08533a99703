package io.herald.bench.peer;

import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.infra.ProcessCpu;
import io.herald.bench.infra.RedisServer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BullMQ on its own private Redis (the seed's stack): one Node worker process with a no-op
 * processor that reports each execution on stdout, and Node producer processes that add the jobs
 * with {@code addBulk}, each delayed to its due instant, {@code jobId} = occurrence id and {@code
 * removeOnComplete: true} (the seed's anti-duplicate scheme). Scripts in {@code bench/bullmq}.
 *
 * <p>Recurring tasks: the worker adds the next occurrence of a task itself, at the first grid
 * instant after the execution (a producer re-adding the next occurrence; the same "late runs skip
 * what passed" semantics as db-scheduler's rescheduling). "Tables" are the Redis keyspace: {@code
 * FLUSHALL} per row.
 */
public final class BullMqPeer implements PeerScheduler {

  private static final Logger log = LoggerFactory.getLogger(BullMqPeer.class);

  static final String QUEUE = "bench";

  /** The seed's settings and a tuned one. */
  public enum Variant {
    /** What the seed ran: 5 concurrent jobs, a limiter of 10 jobs per second. */
    SEED("bullmq-seed", 5, 10, 1_000),
    /** Tuned for throughput within BullMQ's own knobs: 50 concurrent jobs, no limiter. */
    TUNED("bullmq-tuned", 50, 0, 0);

    final String system;
    final int concurrency;
    final int limitMax;
    final int limitMillis;

    Variant(String system, int concurrency, int limitMax, int limitMillis) {
      this.system = system;
      this.concurrency = concurrency;
      this.limitMax = limitMax;
      this.limitMillis = limitMillis;
    }

    public String system() {
      return system;
    }
  }

  private final Variant variant;
  private final Path dir;
  private final RedisServer redis;
  private final Path logs;
  private Process worker;
  private Thread reader;
  private volatile long lastLoadFixed;

  public BullMqPeer(Variant variant) {
    this.variant = variant;
    this.dir = BullMqNode.ensureInstalled();
    try {
      this.logs = Files.createTempDirectory("herald-bench-bullmq-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.redis = RedisServer.start();
  }

  /** Why BullMQ rows cannot run on this host, or empty when they can. */
  public static Optional<String> unavailable() {
    return BullMqNode.unavailable();
  }

  @Override
  public String system() {
    return variant.system;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("bullmq", BullMqNode.installedVersion(dir, "bullmq"));
    s.put("ioredis", BullMqNode.installedVersion(dir, "ioredis"));
    s.put("node", BullMqNode.toolVersion("node", "--version"));
    s.put("redis", BullMqNode.toolVersion("redis-server", "--version"));
    s.put("redis persistence", "appendonly yes, appendfsync everysec (private server, loopback)");
    s.put("concurrency", variant.concurrency);
    s.put(
        "limiter",
        variant.limitMax > 0
            ? variant.limitMax + " jobs per " + variant.limitMillis + " ms"
            : "none");
    s.put("workers", "1 Node process");
    s.put("jobs", "jobId per occurrence, removeOnComplete: true, addBulk with delay");
    return s;
  }

  @Override
  public double maxRatePerSecond() {
    return variant.limitMax > 0
        ? variant.limitMax * 1000.0 / variant.limitMillis
        : Double.POSITIVE_INFINITY;
  }

  @Override
  public long lastLoadFixedMillis() {
    return lastLoadFixed;
  }

  @Override
  public OptionalLong externalCpuNanos() {
    Process w = worker;
    return w == null ? ProcessCpu.cpuNanos(redis.pid()) : ProcessCpu.cpuNanos(redis.pid(), w.pid());
  }

  @Override
  public void createTables() {
    redis.flushAll();
  }

  @Override
  public void loadOneTime(int from, int to, long dueMillis) {
    produce(from, to, i -> "o-" + i + " " + i + " " + dueMillis + " 0", List.of());
  }

  @Override
  public void loadRecurring(int from, int to, long[] firstDue, long periodMillis) {
    produce(
        from,
        to,
        i -> "s-" + i + "-" + firstDue[i] + " " + i + " " + firstDue[i] + " " + periodMillis,
        List.of());
  }

  /**
   * Two or more producers race to add the same one-time occurrences {@code 0..n-1} (same job ids):
   * producer k starts adding at {@code startMillis + k * lagMillis}, in chunks of {@code chunk}.
   * Returns once every producer has added everything.
   */
  public void race(
      int n, long dueMillis, int producers, long startMillis, long lagMillis, int chunk)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    List<RuntimeException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int k = 0; k < producers; k++) {
      long at = startMillis + k * lagMillis;
      Thread t =
          new Thread(
              () -> {
                try {
                  produce(
                      0,
                      n,
                      i -> "o-" + i + " " + i + " " + dueMillis + " 0",
                      List.of("--at", Long.toString(at), "--chunk", Integer.toString(chunk)));
                } catch (RuntimeException e) {
                  failures.add(e);
                }
              },
              "bench-bullmq-producer-" + k);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  @Override
  public void start(ExecutionLog executions) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "node",
                "worker.js",
                "--port",
                Integer.toString(redis.port()),
                "--queue",
                QUEUE,
                "--concurrency",
                Integer.toString(variant.concurrency)));
    if (variant.limitMax > 0) {
      cmd.addAll(
          List.of(
              "--limit-max",
              Integer.toString(variant.limitMax),
              "--limit-ms",
              Integer.toString(variant.limitMillis)));
    }
    CountDownLatch ready = new CountDownLatch(1);
    try {
      worker =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectError(logs.resolve("worker.err").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the BullMQ worker", e);
    }
    Process w = worker;
    reader = new Thread(() -> read(w, executions, ready), "bench-bullmq-worker-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!ready.await(60, TimeUnit.SECONDS)) {
        stop();
        throw new IllegalStateException("BullMQ worker not ready within 60 s: " + stderr());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the BullMQ worker started", e);
    }
  }

  /** Worker lines: READY, CLOSED, or "task due-ms wall-clock-ms" per execution. */
  private static void read(Process w, ExecutionLog executions, CountDownLatch ready) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("READY")) {
          ready.countDown();
          continue;
        }
        if (line.equals("CLOSED")) {
          return; // the last line: no read is left pending while the process exits
        }
        int a = line.indexOf(' ');
        int b = line.indexOf(' ', a + 1);
        if (a < 0 || b < 0) {
          continue; // anything else a script prints
        }
        executions.recordAt(
            Integer.parseInt(line.substring(0, a)),
            Long.parseLong(line.substring(a + 1, b)),
            Long.parseLong(line.substring(b + 1)));
      }
    } catch (IOException | RuntimeException e) {
      log.warn("BullMQ worker output unreadable: {}", e.toString());
    }
  }

  @Override
  public void stop() {
    Process w = worker;
    if (w == null) {
      return;
    }
    worker = null;
    // SIGTERM: the worker closes (waits for its active jobs) and flushes what it has reported.
    // Through the handle: Process.destroy() would also close our end of its stdout, dropping
    // the executions it reports while closing.
    w.toHandle().destroy();
    try {
      if (reader != null) {
        reader.join(20_000);
      }
      if (!w.waitFor(5, TimeUnit.SECONDS)) {
        log.warn("BullMQ worker did not stop on SIGTERM, killing: pid={}", w.pid());
        w.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      w.destroyForcibly();
    }
  }

  @Override
  public void dropTables() {
    redis.flushAll();
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      redis.close();
      try (var files = Files.list(logs)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(logs);
      } catch (IOException e) {
        log.debug("could not delete {}", logs, e);
      }
    }
  }

  /** Runs producer.js over the lines of tasks {@code from..to-1}; waits until it has added all. */
  private void produce(int from, int to, IntFunction<String> line, List<String> extra) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "node", "producer.js", "--port", Integer.toString(redis.port()), "--queue", QUEUE));
    cmd.addAll(extra);
    long t0 = System.currentTimeMillis();
    try {
      Path err = Files.createTempFile(logs, "producer-", ".err");
      Process p =
          new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
      try (Writer out =
          new BufferedWriter(
              new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), 1 << 16)) {
        for (int i = from; i < to; i++) {
          out.write(line.apply(i));
          out.write('\n');
        }
      }
      String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "BullMQ producer failed: "
                + BullMqNode.tail(Files.readString(err, StandardCharsets.UTF_8)));
      }
      // "ADDED n first last": everything before the first add is Node starting and reading stdin.
      String[] f = reply.split(" ");
      if (f.length == 4 && f[0].equals("ADDED") && extra.isEmpty()) {
        lastLoadFixed = Math.max(0, Long.parseLong(f[2]) - t0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("BullMQ producer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing", e);
    }
  }

  private String stderr() {
    try {
      return BullMqNode.tail(Files.readString(logs.resolve("worker.err"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return "(no stderr)";
    }
  }
}
