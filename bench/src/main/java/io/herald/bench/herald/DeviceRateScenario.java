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
import io.herald.testsupport.FakeWhatsAppApi;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * One Cloud API device at its provider's rate (issue 17): a device row with {@code max_per_second}
 * 80 or 1,000, behind a local fake of the Cloud API answering in 50 or 200 ms, over real HTTP, one
 * broadcast with manual pacing at 0 s. The rate is what the fake received: requests after the first
 * ÷ the time from the first to the last arrival. Target: 90 % of {@code max_per_second}.
 */
public final class DeviceRateScenario implements Scenario {

  static final String DEVICE = "00000000-0000-4000-8000-0000000d0001";
  private static final String TOKEN_ENV = "HERALD_TOKEN_BENCH";
  private static final double TARGET = 0.9;

  @Override
  public String id() {
    return "device-rate";
  }

  @Override
  public String title() {
    return "5b. One device at its provider's rate";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    List<double[]> cases = // {max_per_second, latency ms}
        ctx.smoke()
            ? List.of(new double[] {80, 50})
            : List.of(
                new double[] {80, 50},
                new double[] {80, 200},
                new double[] {1000, 50},
                new double[] {1000, 200});
    double seconds = ctx.smoke() ? 2 : 8;
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("device", "whatsapp_cloud, max_per_second as in each row, status active");
    settings.put("API", "FakeWhatsAppApi over HTTP on loopback, a fixed delay per request");
    settings.put("messages", "max_per_second x " + (long) seconds + " s, distinct recipients");
    settings.put("pacing", "manual, 0 s, randomize off");
    settings.put(
        "sender", "defaults; HERALD_SENDER_DEVICE_MAX_IN_FLIGHT from the environment if set");
    List<ResultRow> rows = new ArrayList<>();
    if (!ctx.runs("herald")) {
      return new ScenarioResult(id(), title(), settings, rows, List.of("Herald not selected."), 0);
    }
    HeraldWiring.truncate(ctx);
    try (FakeWhatsAppApi api = FakeWhatsAppApi.start()) {
      for (double[] c : cases) {
        rows.add(run(ctx, api, c[0], Duration.ofMillis((long) c[1]), seconds));
      }
    } finally {
      HeraldScheduler.deleteTopics(ctx.infra(), "bench-sender");
      HeraldWiring.truncate(ctx);
    }
    List<String> notes =
        List.of(
            "rate = (requests − 1) ÷ (last arrival − first arrival) at the fake API, so the"
                + " first call's latency does not count against the device; W is the most calls"
                + " the device had in flight, read from the fake's arrivals and answers.",
            "Before issue 17 a device's lane was serial (claim, call, finish, then the next):"
                + " at most 1 ÷ latency, 20/s at 50 ms, 5/s at 200 ms.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  private static ResultRow run(
      BenchContext ctx, FakeWhatsAppApi api, double maxPerSecond, Duration latency, double seconds)
      throws Exception {
    int n = (int) Math.round(maxPerSecond * seconds);
    api.reset();
    api.delay(latency);
    SenderKafka.recreateTopics(ctx);
    ctx.infra().execute(List.of("TRUNCATE TABLE deliveries"));
    insertDevice(ctx, maxPerSecond);
    String group =
        "bench-rate-" + ctx.runId() + "-" + (long) maxPerSecond + "-" + latency.toMillis();
    Map<String, String> env = SenderThroughputScenario.overrides(Duration.ZERO, group);
    env.putAll(SenderThroughputScenario.connection(ctx));
    env.put("HERALD_SENDER_DEFAULT_TRANSPORT", "whatsapp_cloud");
    env.put("HERALD_SENDER_WHATSAPP_BASE_URL", api.baseUrl());
    env.put("HERALD_SENDER_URL_ALLOWLIST", api.baseUrl());
    env.put(TOKEN_ENV, api.accessToken());
    String scheduleKey =
        ScheduleKind.BROADCAST.keyFor(
            new UUID(0x5e0d_0000_0000_4000L, 0x8000_0000_0000_0000L | n | latency.toMillis() << 20)
                .toString());
    Instant occurrence = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    ctx.progress(
        "device-rate: %,d messages, max_per_second %.0f, %d ms latency",
        n, maxPerSecond, latency.toMillis());
    SenderKafka.Drain drain;
    try (SenderApp app = SenderApp.start(SenderConfig.fromEnv(env), env::get, Clock.systemUTC());
        KafkaConsumer<String, DeliveryResult> results = SenderKafka.resultConsumer(ctx);
        KafkaProducer<String, SendCommand> producer = SenderKafka.producer(ctx)) {
      awaitReady(app);
      List<TopicPartition> parts =
          results.partitionsFor(Topics.DELIVERY_RESULTS.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      results.assign(parts);
      results.seekToBeginning(parts);
      results.poll(Duration.ZERO);
      for (int i = 0; i < n; i++) {
        producer.send(
            SenderKafka.record(
                scheduleKey,
                occurrence,
                DEVICE,
                HeraldBurstScenario.phone(700_000 + i),
                new PacingSpec("manual", 0, false, null, null)));
      }
      producer.flush();
      long budget = (long) (seconds * 1000 * 6) + 60_000; // a serial lane would need far longer
      drain = SenderKafka.drain(results, n, System.currentTimeMillis() + budget);
    }
    List<FakeWhatsAppApi.Request> requests = api.requests();
    double rate = rate(requests);
    ResultRow.Builder row =
        ResultRow.of(
            "device-rate",
            String.format(
                Locale.ROOT,
                "max_per_second %,.0f, %d ms latency, %,d messages",
                maxPerSecond,
                latency.toMillis(),
                n),
            "herald",
            false);
    row.metric("results", drain.count);
    row.metric("sent", drain.statuses.getOrDefault(DeliveryStatus.SENT, 0));
    row.metric("requests", requests.size());
    row.metric("sends /s", Math.round(rate * 10) / 10.0);
    row.metric("% of max_per_second", Math.round(rate / maxPerSecond * 1000) / 10.0);
    row.metric("W seen", maxConcurrent(requests, latency));
    row.metric("target", rate >= TARGET * maxPerSecond ? "met (≥ 90 %)" : "missed (< 90 %)");
    return row.note("statuses " + drain.statuses).build();
  }

  private static double rate(List<FakeWhatsAppApi.Request> requests) {
    if (requests.size() < 2) {
      return 0;
    }
    Instant first = requests.get(0).receivedAt();
    Instant last = first;
    for (FakeWhatsAppApi.Request r : requests) {
      first = r.receivedAt().isBefore(first) ? r.receivedAt() : first;
      last = r.receivedAt().isAfter(last) ? r.receivedAt() : last;
    }
    double s = Math.max(1, Duration.between(first, last).toNanos()) / 1e9;
    return (requests.size() - 1) / s;
  }

  /** The most requests open at once: each is open from its arrival for the fixed delay. */
  private static int maxConcurrent(List<FakeWhatsAppApi.Request> requests, Duration latency) {
    List<long[]> events = new ArrayList<>(requests.size() * 2);
    for (FakeWhatsAppApi.Request r : requests) {
      long at = r.receivedAt().toEpochMilli() * 1000 + r.receivedAt().getNano() / 1000 % 1000;
      events.add(new long[] {at, 1});
      events.add(new long[] {at + latency.toNanos() / 1000, -1});
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int open = 0;
    int most = 0;
    for (long[] e : events) {
      open += (int) e[1];
      most = Math.max(most, open);
    }
    return most;
  }

  private static void insertDevice(BenchContext ctx, double maxPerSecond) throws Exception {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, transport_config, status,"
                    + " max_per_second) VALUES (?::uuid, ?::uuid, 'bench-rate', 'whatsapp_cloud',"
                    + " ?::jsonb, 'active', ?) ON CONFLICT (id) DO UPDATE SET max_per_second ="
                    + " EXCLUDED.max_per_second")) {
      ps.setString(1, DEVICE);
      ps.setString(2, SenderThroughputScenario.TENANT);
      ps.setString(3, "{\"phone_number_id\": \"1000\", \"token_env\": \"" + TOKEN_ENV + "\"}");
      ps.setDouble(4, maxPerSecond);
      ps.executeUpdate();
    }
  }

  private static void awaitReady(SenderApp app) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!app.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("SenderApp not ready within 120 s");
      }
      Thread.sleep(50);
    }
  }
}
