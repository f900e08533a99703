package io.herald.e2e;

import static io.herald.e2e.E2e.assertClean;
import static io.herald.e2e.E2e.awaitRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.quickstart.LocalKafka;
import io.herald.quickstart.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults of the infrastructure, on a pipeline of their own: a real Kafka broker as a child JVM (the
 * quick start's {@link LocalKafka}: KRaft, formatted once, SIGTERM to stop, started again on the
 * same port and log directory) and an embedded PostgreSQL with a kept data directory (the quick
 * start's {@link LocalPostgres}: stopped with {@code pg_ctl stop -m fast} and started again on the
 * same port and data). The scheduler (CDC included) and the sender are child JVMs as elsewhere.
 *
 * <ul>
 *   <li>fault 3: the broker is stopped and restarted while broadcasts fire and are sent, and rows
 *       are inserted while it is down (CDC must deliver them after it is back);
 *   <li>fault 4: PostgreSQL is restarted while a writer inserts broadcast rows as drafts and then
 *       updates them (status scheduled, two more recipients): CDC must resume from its slot without
 *       losing an insert or an update;
 *   <li>fault 8: PostgreSQL stops answering (frozen with SIGSTOP) while broadcasts are due: both
 *       services report it on {@code /health/ready}, stay alive, and recover without loss.
 * </ul>
 *
 * <p>A service that exits by itself during a fault is started again (what an orchestrator does) and
 * named in the log; the verdict is what reached the fake.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsInfraIT {

  private static final Logger log = LoggerFactory.getLogger(FaultsInfraIT.class);

  private static Path dir;
  private static LocalKafka kafka;
  private static int pgPort;
  private static volatile LocalPostgres pg;
  private static Pipeline pipeline;

  @BeforeAll
  static void startInfra() {
    dir =
        Path.of("target", "e2e-state", "infra-" + UUID.randomUUID().toString().substring(0, 8))
            .toAbsolutePath();
    kafka = new LocalKafka(dir.resolve("kafka"), freePortPair()).start(Duration.ofSeconds(120));
    pgPort = ServiceProcess.freePort();
    pg = LocalPostgres.embedded(dir.resolve("pg"), pgPort);
    pipeline =
        new Pipeline(
            kafka.bootstrapServers(),
            new Pipeline.Db(pg.jdbcUrl(), pg.user(), pg.password()),
            "infra");
  }

  @AfterAll
  static void stopInfra() {
    if (pipeline != null) {
      pipeline.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void fault3BrokerStoppedAndRestartedUnderLoad() throws Exception {
    for (int run = 1; run <= Verdict.repeat(); run++) {
      pipeline.ensureRunning();
      long t0 = System.nanoTime();
      Workload w = new Workload(pipeline);
      for (int i = 0; i < 6; i++) {
        w.device();
      }
      // Broadcasts due before, during and after the outage.
      for (int i = 0; i < 6; i++) {
        w.broadcastAt(w.devices.get(i), w.phones(60), Workload.in(4 + 2 * i));
      }
      w.recurringOnceAt(w.devices.get(0), w.phones(20), Workload.in(10));
      pipeline.fake.delay(Duration.ofMillis(20));
      w.produceAll();
      awaitRequests(w, 60, Duration.ofSeconds(90));
      long outage = System.nanoTime();
      kafka.close();
      // While the broker is down: rows that only CDC can deliver, once the broker is back.
      w.broadcastRow(w.devices.get(1), w.phones(10), Workload.in(10));
      w.broadcastRow(w.devices.get(2), w.phones(10), Workload.in(11));
      Thread.sleep(5_000);
      kafka.start(Duration.ofSeconds(120));
      long down = Duration.ofNanos(System.nanoTime() - outage).toMillis();
      List<String> restarted = pipeline.restartExited();
      pipeline.fake.delay(Duration.ZERO);
      Verdict v =
          Verdict.settleAndMeasure(
              "3 broker stopped " + down / 1000 + " s and restarted",
              run,
              w,
              Duration.ofSeconds(180),
              t0);
      log.info(
          "fault 3 run {}: broker down {} ms; services restarted after exiting: {}",
          run,
          down,
          restarted);
      // Nothing can be unknown unless a sender died mid-call.
      assertClean(v, restarted.isEmpty() ? 0 : E2e.inFlightBound(w));
      assertThat(restarted).as("services that exited during the broker outage").isEmpty();
    }
  }

  @Test
  @Order(4)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void fault4PostgresRestartedWhileRowsAreInsertedAndUpdated() throws Exception {
    for (int run = 1; run <= Verdict.repeat(); run++) {
      pipeline.ensureRunning();
      long t0 = System.nanoTime();
      Workload w = new Workload(pipeline);
      for (int i = 0; i < 4; i++) {
        w.device();
      }
      int rows = 24;
      AtomicInteger written = new AtomicInteger();
      AtomicInteger retries = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Workload.Planned> planned = new ArrayList<>();
      List<List<String>> recipients = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        recipients.add(w.phones(5));
      }
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < rows; i++) {
                    Workload.Device d = w.devices.get(i % w.devices.size());
                    String id = UUID.randomUUID().toString();
                    List<String> all = recipients.get(i);
                    // Insert a draft with three recipients, then schedule it with all five: losing
                    // the
                    // insert or the update loses sends.
                    retrying(
                        retries,
                        c ->
                            Workload.insertBroadcastRow(
                                c,
                                id,
                                w.tenant,
                                d,
                                all.subList(0, 3),
                                Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS),
                                "draft",
                                w.message()));
                    retrying(
                        retries,
                        c -> {
                          try (PreparedStatement ps =
                              c.prepareStatement(
                                  "UPDATE broadcasts SET status = 'scheduled', target_contacts = ?::jsonb,"
                                      + " updated_at = now() WHERE id = ?::uuid")) {
                            ps.setString(1, Workload.jsonArray(all));
                            ps.setString(2, id);
                            ps.executeUpdate();
                          }
                        });
                    Instant[] at = new Instant[1];
                    retrying(
                        retries,
                        c -> {
                          try (PreparedStatement ps =
                              c.prepareStatement(
                                  "SELECT scheduled_at FROM broadcasts WHERE id = ?::uuid")) {
                            ps.setString(1, id);
                            try (ResultSet rs = ps.executeQuery()) {
                              rs.next();
                              at[0] = rs.getObject(1, OffsetDateTime.class).toInstant();
                            }
                          }
                        });
                    synchronized (planned) {
                      planned.add(
                          new Workload.Planned("broadcast:" + id, null, all, List.of(at[0]), d));
                    }
                    written.incrementAndGet();
                    Thread.sleep(400);
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              "e2e-row-writer");
      writer.start();
      await("rows written before the restart")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> written.get() >= 8 || failure.get() != null);
      long outage = System.nanoTime();
      pg.close();
      Thread.sleep(3_000);
      pg = LocalPostgres.embedded(dir.resolve("pg"), pgPort);
      long down = Duration.ofNanos(System.nanoTime() - outage).toMillis();
      writer.join(Duration.ofSeconds(120).toMillis());
      assertThat(failure.get()).as("row writer").isNull();
      assertThat(written.get()).isEqualTo(rows);
      w.planned.addAll(planned);
      List<String> restarted = pipeline.restartExited();
      Verdict v =
          Verdict.settleAndMeasure(
              "4 PostgreSQL restarted (" + down / 1000 + " s) during inserts/updates",
              run,
              w,
              Duration.ofSeconds(180),
              t0);
      log.info(
          "fault 4 run {}: PostgreSQL down {} ms; writer retries {}; services restarted"
              + " after exiting: {}",
          run,
          down,
          retries.get(),
          restarted);
      // A sender whose ledger write failed mid-call cannot know the outcome: at most the calls a
      // device may have in flight.
      assertClean(v, E2e.inFlightBound(w));
    }
  }

  /**
   * Fault 8 (issue 15 §4): PostgreSQL stops answering — its processes frozen with SIGSTOP, so
   * sockets stay open and nothing comes back (no refused connection to fail fast on). Broadcasts
   * are due before and during the freeze. While frozen, both services must say so on {@code
   * /health/ready} (503) and stay alive: the pools' connect, socket, statement and lock timeouts
   * bound every wait. After SIGCONT they are ready again and nothing is lost or sent twice.
   */
  @Test
  @Order(5)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void fault8PostgresStopsAnsweringWhileBroadcastsAreDue() throws Exception {
    for (int run = 1; run <= Verdict.repeat(); run++) {
      pipeline.ensureRunning();
      long t0 = System.nanoTime();
      Workload w = new Workload(pipeline);
      for (int i = 0; i < 4; i++) {
        w.device();
      }
      for (int i = 0; i < 4; i++) {
        w.broadcastAt(w.devices.get(i), w.phones(30), Workload.in(6 + 4 * i));
      }
      w.produceAll();
      awaitRequests(w, 30, Duration.ofSeconds(90));
      long outage = System.nanoTime();
      List<ProcessHandle> frozen = signalPostgres("STOP", List.of());
      Map<String, Integer> whileFrozen = new LinkedHashMap<>();
      try {
        for (ServiceProcess p : pipeline.everyProcess()) {
          await(p.name() + " reports the silent database on /health/ready")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> readiness(p) == 503 || !p.isAlive());
          whileFrozen.put(p.name(), p.isAlive() ? 503 : -1); // -1: it exited
        }
        Thread.sleep(5_000); // broadcasts keep coming due while nothing answers
      } finally {
        signalPostgres("CONT", frozen);
      }
      long down = Duration.ofNanos(System.nanoTime() - outage).toMillis();
      for (ServiceProcess p : pipeline.everyProcess()) {
        await(p.name() + " ready again once the database answers")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> readiness(p) == 200 || !p.isAlive());
      }
      List<String> restarted = pipeline.restartExited();
      Verdict v =
          Verdict.settleAndMeasure(
              "8 PostgreSQL not answering (" + down / 1000 + " s, frozen)",
              run,
              w,
              Duration.ofSeconds(180),
              t0);
      log.info(
          "fault 8 run {}: PostgreSQL frozen {} ms; readiness while frozen {}; services restarted"
              + " after exiting: {}",
          run,
          down,
          whileFrozen,
          restarted);
      assertThat(whileFrozen)
          .as("readiness while the database did not answer")
          .allSatisfy((name, status) -> assertThat(status).as(name).isEqualTo(503));
      assertThat(restarted).as("services that exited while the database did not answer").isEmpty();
      // a call whose finish could not be written while frozen: at most a device's calls in flight
      assertClean(v, E2e.inFlightBound(w));
    }
  }

  /** {@code /health/ready}'s status, or -1 when the process does not answer at all. */
  private static int readiness(ServiceProcess p) {
    try {
      return p.get("/health/ready").statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * Sends {@code kill -<signal>} to the embedded PostgreSQL's postmaster and every process under it
   * (or to {@code processes} when given); returns the processes signalled.
   */
  private static List<ProcessHandle> signalPostgres(String signal, List<ProcessHandle> processes)
      throws IOException, InterruptedException {
    List<ProcessHandle> targets = new ArrayList<>(processes);
    if (targets.isEmpty()) {
      Path pidFile = dir.resolve("pg").resolve("data").resolve("postmaster.pid");
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      ProcessHandle postmaster =
          ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster"));
      targets.add(postmaster);
      postmaster.descendants().forEach(targets::add);
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
    targets.forEach(h -> cmd.add(Long.toString(h.pid())));
    int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
    log.info("kill -{} to {} PostgreSQL processes: rc={}", signal, targets.size(), rc);
    return targets;
  }

  private interface Sql {
    void run(Connection c) throws SQLException;
  }

  /** Runs {@code sql} on a fresh connection until it succeeds (the database may be restarting). */
  private static void retrying(AtomicInteger retries, Sql sql) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      try (Connection c = pipeline.db.connect()) {
        sql.run(c);
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("database unreachable for 90 s", e);
        }
        retries.incrementAndGet();
        Thread.sleep(250);
      }
    }
  }

  /** A free port p with p + 1 free too (LocalKafka's controller listens on port + 1). */
  private static int freePortPair() {
    for (int attempt = 0; attempt < 50; attempt++) {
      int p = ServiceProcess.freePort();
      try (ServerSocket s = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
        return p;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port pair on 127.0.0.1"));
  }
}
