package io.herald.bench.herald;

import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.sender.config.SenderConfig;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Scenario 5, sender throughput: the real {@link SenderApp} (consumer, device lanes, the
 * claim-before-send ledger on PostgreSQL, simulated transport, results to Kafka) consuming N
 * send-commands keyed by device id across 1,000 devices, pacing off ({@code manual}, 0 s, no
 * jitter). Rate = N / (first produce → last {@code DeliveryResult}'s record timestamp).
 *
 * <p>SenderApp has no switch to run without the ledger, so the ledger's cost is measured on its
 * own: {@link JdbcDeliveryLedger} claim + finish per command on the same PostgreSQL with the
 * sender's concurrency: one serial queue per device (1,000), each with one claim or finish
 * outstanding, continuations on as many threads as the sender has lane threads, the same pool size
 * and the ledger's own group commit. Pacing accuracy: one device, manual 1 s, no jitter, 30
 * messages; gap = next call's claim − previous call's finish (the pacer's "send, then sleep").
 */
public final class SenderThroughputScenario implements Scenario {

  static final String TENANT = "00000000-0000-4000-8000-00000000b0b1";
  static final int DEVICES = 1_000;
  static final String PACING_DEVICE = "00000000-0000-4000-8000-0000000a0001";
  static final int PARTITIONS = 6;
  static final int PACING_DELAY_SECONDS = 1;

  @Override
  public String id() {
    return "sender";
  }

  /** One end-to-end row: how many commands, the transport's latency, whether pacing follows. */
  private record Run(int n, Duration latency, boolean pacingAfter) {}

  @Override
  public String title() {
    return "5. Sender throughput";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int n = ctx.size(40_000, 300);
    int pacingMessages = ctx.size(30, 3);
    long budget = ctx.millis(240_000, 30_000);
    // Smoke checks the wiring once; the 50 ms run differs only by a setting. The long run shows
    // the steady rate: 40,000 sends take about 2 s, of which start-up (first fetch, first batches,
    // the bench producing while the sender reads) is a visible part. Pacing follows the last
    // 40,000 run (on its realistic latency; 0 ms in smoke).
    List<Run> runs =
        ctx.smoke()
            ? List.of(new Run(n, Duration.ZERO, true))
            : List.of(
                new Run(n, Duration.ZERO, false),
                new Run(n, Duration.ofMillis(50), true),
                new Run(n * 5, Duration.ZERO, false));
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("commands", ctx.smoke() ? n : n + " (and " + n * 5 + " in the long row)");
    settings.put("devices", DEVICES);
    settings.put("partitions of herald.send-commands", PARTITIONS);
    settings.put("pacing", "manual, 0 s, randomize off (PacingSpec.none())");
    settings.put("sender", overrides(Duration.ZERO, "<group>"));
    settings.put(
        "pacing test",
        pacingMessages
            + " messages, one device, manual "
            + PACING_DELAY_SECONDS
            + " s, randomize off, 50 ms latency (0 ms in smoke)");
    List<ResultRow> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!ctx.runs("herald")) {
      return new ScenarioResult(
          id(),
          title(),
          settings,
          rows,
          List.of("Herald not selected."),
          System.currentTimeMillis() - started);
    }
    HeraldWiring.truncate(ctx);
    insertDevices(ctx);
    double endToEndZero = Double.NaN;
    try {
      for (Run run : runs) {
        Duration latency = run.latency();
        String group = "bench-sender-" + ctx.runId() + "-" + latency.toMillis() + "-" + run.n();
        SenderKafka.recreateTopics(ctx);
        ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
        Map<String, String> env = overrides(latency, group);
        env.putAll(connection(ctx));
        try (SenderApp app =
            SenderApp.start(SenderConfig.fromEnv(env), env::get, Clock.systemUTC())) {
          awaitReady(app, Duration.ofSeconds(120));
          ResultRow row = throughput(ctx, run.n(), latency, budget);
          rows.add(row);
          if (latency.isZero() && run.n() == n) {
            endToEndZero = row.number("sends /s").orElse(Double.NaN);
          }
          if (run.pacingAfter()) {
            rows.add(SenderPacing.pacing(ctx, pacingMessages, latency, budget));
          }
        }
      }
      ResultRow ledger = SenderLedgerAlone.ledgerAlone(ctx, n);
      double ledgerRate = ledger.number("sends /s").orElse(Double.NaN);
      rows.add(
          ledger.withMetric(
              "end-to-end ÷ ledger alone", Math.round(endToEndZero / ledgerRate * 100) / 100.0));
    } finally {
      HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
      HeraldWiring.truncate(ctx);
    }
    notes.add(
        "End to end = first SendCommand produced → record timestamp of the last"
            + " DeliveryResult (the sender's producer stamps it after the ledger's finish); every"
            + " send is a ledger claim (group-committed INSERT … ON CONFLICT DO NOTHING), a simulated"
            + " call, a ledger finish (group-committed UPDATE) and a result record.");
    notes.add(
        "SenderApp has no switch to disable the ledger: the 'ledger alone' row runs"
            + " JdbcDeliveryLedger.claim + finish for the same number of commands on the same"
            + " PostgreSQL with the sender's concurrency (one serial queue per device, lane threads,"
            + " pool size), no Kafka and no transport."
            + " 'end-to-end ÷ ledger alone' near 1 means the ledger bounds the sender.");
    notes.add(
        "The sender's result projector (totals back into the definition rows) is off: it"
            + " runs after the result in its own consumer group and is not on the send path.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  /** HERALD_SENDER_* settings of a run, with any the operator set in the environment. */
  static Map<String, String> overrides(Duration latency, String group) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HERALD_SENDER_GROUP_ID", group);
    env.put("HERALD_SENDER_METRICS_PORT", "0");
    env.put("HERALD_SENDER_DEFAULT_TRANSPORT", "simulated");
    env.put("HERALD_SENDER_SIMULATED_LATENCY", latency.toString());
    env.put("HERALD_SENDER_PAIR_GAP", "PT0S");
    env.put("HERALD_SENDER_PROJECTOR_ENABLED", "false");
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("HERALD_SENDER_")
                  && !k.endsWith("_BOOTSTRAP_SERVERS")
                  && !k.startsWith("HERALD_SENDER_JDBC_URL")
                  && !k.endsWith("_GROUP_ID")
                  && !k.endsWith("_SIMULATED_LATENCY")) {
                env.put(k, v);
              }
            });
    return env;
  }

  static Map<String, String> connection(BenchContext ctx) {
    Map<String, String> env = new LinkedHashMap<>();
    var db = ctx.infra().database();
    env.put("HERALD_SENDER_BOOTSTRAP_SERVERS", ctx.infra().broker().bootstrapServers());
    env.put("HERALD_SENDER_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      env.put("HERALD_SENDER_JDBC_USER", db.user());
    }
    if (!db.password().isEmpty()) {
      env.put("HERALD_SENDER_JDBC_PASSWORD", db.password());
    }
    return env;
  }

  private static ResultRow throughput(BenchContext ctx, int n, Duration latency, long budget)
      throws Exception {
    String scheduleKey =
        ScheduleKind.BROADCAST.keyFor(
            new UUID(0x5e0d_0000_0000_4000L, 0x8000_0000_0000_0000L | latency.toMillis())
                .toString());
    Instant occurrence = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<ProducerRecord<String, SendCommand>> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String device = HeraldBurstScenario.device(i % DEVICES);
      records.add(
          SenderKafka.record(
              scheduleKey, occurrence, device, HeraldBurstScenario.phone(i), PacingSpec.none()));
    }
    ctx.progress("sender: %,d commands at %d ms latency", n, latency.toMillis());
    SenderKafka.Drain drain;
    long t0;
    long produced;
    try (KafkaConsumer<String, DeliveryResult> results = SenderKafka.resultConsumer(ctx);
        KafkaProducer<String, SendCommand> producer = SenderKafka.producer(ctx)) {
      List<TopicPartition> parts =
          results.partitionsFor(Topics.DELIVERY_RESULTS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      results.assign(parts);
      results.seekToBeginning(parts);
      results.poll(Duration.ZERO);
      t0 = System.currentTimeMillis();
      for (ProducerRecord<String, SendCommand> r : records) {
        producer.send(r);
      }
      producer.flush();
      produced = System.currentTimeMillis();
      drain = SenderKafka.drain(results, n, t0 + budget);
    }
    long last = drain.lastTimestamp;
    double seconds = Math.max(1, last - t0) / 1000.0;
    double rate = drain.count / seconds;
    long[] ledger = ledgerSummary(ctx);
    ResultRow.Builder row =
        ResultRow.of(
            "sender",
            String.format(
                Locale.ROOT,
                "%,d commands, %,d devices, %d ms latency",
                n,
                DEVICES,
                latency.toMillis()),
            "herald",
            false);
    row.metric("results", drain.count);
    row.metric("sent", drain.statuses.getOrDefault(DeliveryStatus.SENT, 0));
    row.metric("sends /s", Math.round(rate));
    row.metric("elapsed s", Math.round(seconds * 10) / 10.0);
    row.metric("produce s", Math.round((produced - t0) / 100.0) / 10.0);
    row.metric("deliveries rows sent", ledger[0]);
    row.metric(
        "last row − first produce s",
        ledger[1] == 0 ? "—" : Math.round((ledger[1] - t0) / 100.0) / 10.0);
    row.metric("repeated results", drain.repeated);
    String note =
        drain.count < n
            ? String.format(
                Locale.ROOT,
                "stopped after %d s with %,d of %,d results; ",
                budget / 1000,
                drain.count,
                n)
            : "";
    return row.note(note + "statuses " + drain.statuses).build();
  }

  /** Rows with status sent, and the latest finished_at in epoch millis (0 when none). */
  private static long[] ledgerSummary(BenchContext ctx) throws Exception {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*), max(finished_at) FROM deliveries WHERE status = 'sent'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      Timestamp last = rs.getTimestamp(2);
      return new long[] {rs.getLong(1), last == null ? 0 : last.getTime()};
    }
  }

  static void insertDevices(BenchContext ctx) throws Exception {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, status)"
                    + " VALUES (?::uuid, ?::uuid, ?, 'simulated', 'active')")) {
      c.setAutoCommit(false);
      for (int d = 0; d <= DEVICES; d++) {
        ps.setString(1, d < DEVICES ? HeraldBurstScenario.device(d) : PACING_DEVICE);
        ps.setString(2, TENANT);
        ps.setString(3, "bench-sender-" + d);
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    }
  }

  static void awaitReady(SenderApp app, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!app.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("SenderApp not ready within " + timeout);
      }
      Thread.sleep(50);
    }
  }
}
