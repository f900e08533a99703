package io.herald.bench.herald;

import com.zaxxer.hikari.HikariDataSource;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.topic.Topics;
import io.herald.sender.app.SenderApp;
import io.herald.sender.config.SenderConfig;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.Finish;
import io.herald.sender.ledger.jdbc.GroupCommit;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

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
    // Smoke checks the wiring once; the 50 ms run differs only by a setting.
    List<Duration> latencies =
        ctx.smoke() ? List.of(Duration.ZERO) : List.of(Duration.ZERO, Duration.ofMillis(50));
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("commands", n);
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
      for (Duration latency : latencies) {
        String group = "bench-sender-" + ctx.runId() + "-" + latency.toMillis();
        recreateTopics(ctx);
        ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
        Map<String, String> env = overrides(latency, group);
        env.putAll(connection(ctx));
        try (SenderApp app =
            SenderApp.start(SenderConfig.fromEnv(env), env::get, Clock.systemUTC())) {
          awaitReady(app, Duration.ofSeconds(120));
          ResultRow row = throughput(ctx, n, latency, budget);
          rows.add(row);
          if (latency.isZero()) {
            endToEndZero = row.number("sends /s").orElse(Double.NaN);
          }
          // Pacing runs on the realistic latency (the only one in smoke mode).
          if (latency.equals(latencies.get(latencies.size() - 1))) {
            rows.add(pacing(ctx, pacingMessages, latency, budget));
          }
        }
      }
      ResultRow ledger = ledgerAlone(ctx, n);
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

  private static Map<String, String> connection(BenchContext ctx) {
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
          record(scheduleKey, occurrence, device, HeraldBurstScenario.phone(i), PacingSpec.none()));
    }
    ctx.progress("sender: %,d commands at %d ms latency", n, latency.toMillis());
    Drain drain;
    long t0;
    long produced;
    try (KafkaConsumer<String, DeliveryResult> results = resultConsumer(ctx);
        KafkaProducer<String, SendCommand> producer = producer(ctx)) {
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
      drain = drain(results, n, t0 + budget);
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
    if (!latency.isZero()) {
      note +=
          String.format(
              Locale.ROOT,
              "lanes are serial per device: at most %,d devices / %d" + " ms = %,d sends/s; ",
              DEVICES,
              latency.toMillis(),
              DEVICES * 1000 / latency.toMillis());
    }
    return row.note(note + "statuses " + drain.statuses).build();
  }

  private static ResultRow pacing(BenchContext ctx, int messages, Duration latency, long budget)
      throws Exception {
    String scheduleKey =
        ScheduleKind.BROADCAST.keyFor(
            new UUID(0x5e0d_0000_0000_4000L, 0x8000_0000_0000_0aceL).toString());
    Instant occurrence = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    PacingSpec spec = new PacingSpec("manual", PACING_DELAY_SECONDS, false, null, null);
    ctx.progress("sender: pacing, %d messages %d s apart", messages, PACING_DELAY_SECONDS);
    Drain drain;
    try (KafkaConsumer<String, DeliveryResult> results = resultConsumer(ctx);
        KafkaProducer<String, SendCommand> producer = producer(ctx)) {
      List<TopicPartition> parts =
          results.partitionsFor(Topics.DELIVERY_RESULTS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      results.assign(parts);
      results.seekToEnd(parts);
      results.poll(Duration.ZERO);
      for (int i = 0; i < messages; i++) {
        producer.send(
            record(
                scheduleKey,
                occurrence,
                PACING_DEVICE,
                HeraldBurstScenario.phone(900_000 + i),
                spec));
      }
      producer.flush();
      drain =
          drain(
              results,
              messages,
              System.currentTimeMillis() + messages * 1000L * PACING_DELAY_SECONDS + budget);
    }
    List<long[]> calls = new ArrayList<>(); // {claimed_at, finished_at} in micros
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT claimed_at, finished_at FROM deliveries WHERE device_id = ?::uuid"
                    + " AND status = 'sent' ORDER BY claimed_at")) {
      ps.setString(1, PACING_DEVICE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          calls.add(new long[] {micros(rs.getTimestamp(1)), micros(rs.getTimestamp(2))});
        }
      }
    }
    int gaps = Math.max(0, calls.size() - 1);
    double configured = PACING_DELAY_SECONDS * 1000.0;
    double[] gapMs = new double[gaps];
    double[] startToStart = new double[gaps];
    double[] errorPct = new double[gaps];
    for (int i = 0; i < gaps; i++) {
      gapMs[i] = (calls.get(i + 1)[0] - calls.get(i)[1]) / 1000.0;
      startToStart[i] = (calls.get(i + 1)[0] - calls.get(i)[0]) / 1000.0;
      errorPct[i] = Math.abs(gapMs[i] - configured) / configured * 100;
    }
    Arrays.sort(errorPct);
    Arrays.sort(gapMs);
    Arrays.sort(startToStart);
    ResultRow.Builder row =
        ResultRow.of(
            "sender",
            String.format(
                Locale.ROOT,
                "pacing: 1 device, manual %d s, %d messages, %d ms latency",
                PACING_DELAY_SECONDS,
                messages,
                latency.toMillis()),
            "herald",
            false);
    row.metric("results", drain.count);
    row.metric("gaps", gaps);
    row.metric("gap min ms", gaps == 0 ? "—" : round1(gapMs[0]));
    row.metric("gap p50 ms", gaps == 0 ? "—" : round1(rank(gapMs, 0.5)));
    row.metric("gap max ms", gaps == 0 ? "—" : round1(gapMs[gaps - 1]));
    row.metric("error p50 %", gaps == 0 ? "—" : round2(rank(errorPct, 0.5)));
    row.metric("error p99 %", gaps == 0 ? "—" : round2(rank(errorPct, 0.99)));
    row.metric("start-to-start p50 ms", gaps == 0 ? "—" : round1(rank(startToStart, 0.5)));
    return row.note(
            "gap = claim of the next call − finish of the previous one (the pacer's"
                + " 'send, then sleep'); error = |gap − "
                + (long) configured
                + " ms| ÷ "
                + (long) configured
                + " ms"
                + (gaps < 100 ? "; with " + gaps + " gaps, p99 is the largest error" : ""))
        .build();
  }

  private static ResultRow ledgerAlone(BenchContext ctx, int n) throws Exception {
    SenderConfig defaults = SenderConfig.fromEnv(connection(ctx));
    int threads = defaults.laneThreads();
    int pool = defaults.jdbcPoolSize();
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    String scheduleKey =
        ScheduleKind.BROADCAST.keyFor(
            new UUID(0x5e0d_0000_0000_4000L, 0x8000_0000_0000_0bedL).toString());
    Instant occurrence = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    // one queue per device, like the sender's lanes: each has one claim or finish outstanding
    List<List<SendCommand>> lanes = new ArrayList<>(DEVICES);
    for (int d = 0; d < DEVICES; d++) {
      lanes.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      lanes
          .get(i % DEVICES)
          .add(
              record(
                      scheduleKey,
                      occurrence,
                      HeraldBurstScenario.device(i % DEVICES),
                      HeraldBurstScenario.phone(i),
                      PacingSpec.none())
                  .value());
    }
    ctx.progress(
        "sender: ledger alone, %,d claim + finish, %,d lanes on %d threads", n, DEVICES, threads);
    long t0;
    long t1;
    LongAdder batches = new LongAdder();
    LongAdder batched = new LongAdder();
    GroupCommit.Listener count =
        (size, nanos, ok) -> {
          batches.increment();
          batched.add(size);
        };
    try (HikariDataSource ds = ctx.infra().pool("bench-ledger", pool);
        JdbcDeliveryLedger ledger =
            new JdbcDeliveryLedger(ds, JdbcDeliveryLedger.DEFAULT_MAX_BATCH, count, count)) {
      // continuations hop to a pool of the lane-thread count, as DeviceLane does
      ExecutorService exec = Executors.newFixedThreadPool(threads);
      AtomicInteger claimed = new AtomicInteger();
      List<CompletableFuture<Void>> done = new ArrayList<>();
      t0 = System.currentTimeMillis();
      for (List<SendCommand> lane : lanes) {
        CompletableFuture<Void> laneDone = new CompletableFuture<>();
        done.add(laneDone);
        exec.execute(() -> ledgerLane(ledger, lane, 0, exec, claimed, laneDone));
      }
      CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
      t1 = System.currentTimeMillis();
      exec.shutdown();
      if (claimed.get() != n) {
        throw new IllegalStateException("ledger alone claimed " + claimed.get() + " of " + n);
      }
    }
    double seconds = Math.max(1, t1 - t0) / 1000.0;
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    return ResultRow.of(
            "sender",
            String.format(Locale.ROOT, "ledger alone: %,d claim + finish", n),
            "herald",
            false)
        .metric("results", n)
        .metric("sends /s", Math.round(n / seconds))
        .metric("elapsed s", Math.round(seconds * 10) / 10.0)
        .note(
            String.format(
                Locale.ROOT,
                "%,d device lanes (one claim or finish outstanding each),"
                    + " continuations on %d threads (HERALD_SENDER_LANE_THREADS), HikariCP %d"
                    + " (HERALD_SENDER_JDBC_POOL_SIZE); group commit: %,d batches, mean %.1f per batch",
                DEVICES,
                threads,
                pool,
                batches.sum(),
                batches.sum() == 0 ? 0.0 : batched.sum() / (double) batches.sum()))
        .build();
  }

  /** Claim, then finish, command {@code i} of one lane, then the next one, without blocking. */
  private static void ledgerLane(
      JdbcDeliveryLedger ledger,
      List<SendCommand> lane,
      int i,
      ExecutorService exec,
      AtomicInteger claimed,
      CompletableFuture<Void> laneDone) {
    if (i == lane.size()) {
      laneDone.complete(null);
      return;
    }
    SendCommand cmd = lane.get(i);
    ledger
        .claim(cmd, DeliveryMode.AT_MOST_ONCE, Instant.now())
        .thenComposeAsync(
            claim -> {
              if (claim.kind() != Claim.Kind.CLAIMED) {
                return CompletableFuture.completedFuture(false);
              }
              claimed.incrementAndGet();
              return ledger.finish(
                  cmd.commandId(),
                  new Finish(
                      DeliveryStatus.SENT,
                      1,
                      "sim." + cmd.commandId().value(),
                      null,
                      null,
                      Instant.now()));
            },
            exec)
        .whenCompleteAsync(
            (finished, err) -> {
              if (err != null) {
                laneDone.completeExceptionally(err);
              } else {
                ledgerLane(ledger, lane, i + 1, exec, claimed, laneDone);
              }
            },
            exec);
  }

  /** What the result reader saw. */
  private static final class Drain {
    int count;
    long repeated;
    long lastTimestamp;
    final Map<DeliveryStatus, Integer> statuses = new EnumMap<>(DeliveryStatus.class);
  }

  private static Drain drain(KafkaConsumer<String, DeliveryResult> results, int n, long deadline) {
    Drain d = new Drain();
    Set<String> seen = new HashSet<>(n * 2);
    while (d.count < n && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<String, DeliveryResult> r : results.poll(Duration.ofMillis(100))) {
        if (r.value() == null || !seen.add(r.value().commandId().value())) {
          d.repeated++;
          continue;
        }
        d.count++;
        d.statuses.merge(r.value().status(), 1, Integer::sum);
        d.lastTimestamp = Math.max(d.lastTimestamp, r.timestamp());
      }
    }
    return d;
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

  private static ProducerRecord<String, SendCommand> record(
      String scheduleKey, Instant occurrence, String device, String recipient, PacingSpec pacing) {
    SendCommand cmd =
        new SendCommand(
            SendCommand.SCHEMA_VERSION,
            CommandId.of(scheduleKey, occurrence, recipient),
            TENANT,
            device,
            scheduleKey,
            ScheduleKind.BROADCAST,
            occurrence,
            recipient,
            RecipientType.INDIVIDUAL,
            null,
            "Hello from the bench",
            null,
            pacing,
            1,
            null);
    return new ProducerRecord<>(Topics.SEND_COMMANDS.name(), device, cmd);
  }

  private static void insertDevices(BenchContext ctx) throws Exception {
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

  /** Fresh send-commands, delivery-results and dead-letter topics: each run reads only its own. */
  private static void recreateTopics(BenchContext ctx) throws Exception {
    HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
    List<String> names =
        List.of(
            Topics.SEND_COMMANDS.name(),
            Topics.DELIVERY_RESULTS.name(),
            Topics.SEND_COMMANDS.dlqName());
    try (Admin admin = Admin.create(ctx.infra().broker().clientConfig())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin
              .createTopics(
                  names.stream().map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList())
              .all()
              .get(30, TimeUnit.SECONDS);
          return;
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)
              || System.nanoTime() > deadline) {
            throw e;
          }
          // still being deleted: retry
          HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
          Thread.sleep(200);
        }
      }
    }
  }

  private static void awaitReady(SenderApp app, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!app.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("SenderApp not ready within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  private static KafkaProducer<String, SendCommand> producer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(
        p, new StringSerializer(), Topics.SEND_COMMANDS.valueSerde().serializer());
  }

  private static KafkaConsumer<String, DeliveryResult> resultConsumer(BenchContext ctx) {
    Properties p = new Properties();
    p.putAll(ctx.infra().broker().clientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return new KafkaConsumer<>(
        p, new StringDeserializer(), Topics.DELIVERY_RESULTS.valueSerde().deserializer());
  }

  private static long micros(Timestamp ts) {
    return ts == null ? 0 : ts.getTime() / 1000 * 1_000_000 + ts.getNanos() / 1000;
  }

  private static double rank(double[] sorted, double q) {
    int r = Math.max(1, (int) Math.ceil(q * sorted.length));
    return sorted[r - 1];
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
