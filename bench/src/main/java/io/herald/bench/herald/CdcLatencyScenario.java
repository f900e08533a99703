package io.herald.bench.herald;

import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.Scenario;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Scenario 4, CDC latency: a {@code recurring_messages} row committed in PostgreSQL → its timer
 * armed in Herald's scheduler. The real {@code SchedulerApp} runs with the Debezium engine (its own
 * application id, replication slot, offsets and lease topics) and the state projector, as {@code
 * SchedulerApp.create} wires them in production.
 *
 * <p>The bench inserts rows (device row first) with JDBC at a target rate, one transaction per row,
 * and records the wall clock when each commit returned. A schedule is armed when the scheduler
 * publishes its {@code ScheduleState} with status {@code active} on {@code herald.schedule-states}:
 * that record's timestamp is the arming instant (the topology stamps its wall clock), and the time
 * a {@code read_committed} consumer receives it is when the arming is visible downstream (after the
 * exactly-once commit). Latency = armed − commit returned.
 */
public final class CdcLatencyScenario implements Scenario {

  static final String TENANT = "00000000-0000-4000-8000-00000000b0b0";
  static final String DEVICE = "00000000-0000-4000-8000-00000000cdc0";

  /** Inserting threads (one connection each): one connection cannot commit 1,000/s here. */
  static final int WRITERS = 4;

  @Override
  public String id() {
    return "cdc";
  }

  @Override
  public String title() {
    return "4. CDC latency";
  }

  /** One measured phase: this many rows per second for this long. */
  record Phase(int ratePerSecond, int seconds) {
    int rows() {
      return ratePerSecond * seconds;
    }
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    List<Phase> phases =
        ctx.smoke()
            ? List.of(new Phase(10, 1), new Phase(100, 1))
            : List.of(new Phase(10, 30), new Phase(1_000, 30));
    long budget = ctx.millis(60_000, 20_000);
    String appId = "bench-herald-" + ctx.runId() + "-cdc";
    String slot = "bench_cdc_" + ctx.runId();
    Map<String, String> overrides = HeraldBurstScenario.overrides(0);
    overrides.put("HERALD_SCHEDULER_CDC_SLOT", slot);
    overrides.put("HERALD_SCHEDULER_CDC_OFFSETS_TOPIC", "herald.cdc-offsets-" + appId);
    overrides.put("HERALD_SCHEDULER_CDC_LEADER_TOPIC", "herald.cdc-leader-" + appId);
    // The lease group's minimum: a lone instance is elected at once either way.
    overrides.put("HERALD_SCHEDULER_CDC_LEADER_SESSION_TIMEOUT", "PT6S");

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(
        "phases",
        phases.stream()
            .map(
                p ->
                    String.format(
                        Locale.ROOT, "%,d rows/s for %d s", p.ratePerSecond(), p.seconds()))
            .toList());
    settings.put("writers", WRITERS + " JDBC connections, autocommit, one row per transaction");
    settings.put("row", "recurring_messages daily at now+6 h UTC, 1 E.164 recipient, 1 device");
    settings.put(
        "armed",
        "first ScheduleState 'active' of recurring:<id> on herald.schedule-states"
            + " (record timestamp); visible = read_committed consumer receipt");
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
    insertDevice(ctx);
    try (HeraldScheduler herald = HeraldScheduler.startWithCdc(ctx.infra(), appId, overrides);
        KafkaConsumer<String, ScheduleState> states = HeraldWiring.consumer(ctx);
        KafkaConsumer<String, byte[]> changes = HeraldWiring.changesConsumer(ctx)) {
      settings.put("herald", overrides);
      settings.put("eos commit interval", "Kafka Streams default under exactly_once_v2: 100 ms");
      settings.put(
          "cdc poll interval",
          overrides.getOrDefault("HERALD_SCHEDULER_CDC_POLL_INTERVAL", "PT0.05S (default)"));
      List<TopicPartition> partitions =
          states.partitionsFor(Topics.SCHEDULE_STATES.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      states.assign(partitions);
      states.seekToBeginning(partitions);
      List<TopicPartition> changeParts =
          changes.partitionsFor(Topics.SCHEDULE_CHANGES.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      changes.assign(changeParts);
      changes.seekToBeginning(changeParts);
      HeraldWiring.awaitSlotActive(ctx, slot, Duration.ofSeconds(120), herald);
      ctx.progress("cdc: scheduler streaming from slot %s", slot);

      // Warm-up: proves the device reached Herald (a schedule naming an unknown device waits
      // for it and shows no state) and warms Debezium, Streams and the projector.
      Phase warm = ctx.smoke() ? new Phase(5, 1) : new Phase(10, 3);
      CdcPhaseLatencies w =
          CdcPhaseLatencies.measure(ctx, herald, states, changes, warm, 0, Duration.ofSeconds(60));
      ctx.progress("cdc: warm-up armed %d of %d", w.armedCount, warm.rows());

      int phaseNo = 1;
      for (Phase phase : phases) {
        CdcPhaseLatencies m =
            CdcPhaseLatencies.measure(
                ctx, herald, states, changes, phase, phaseNo++, Duration.ofMillis(budget));
        ctx.progress(
            "cdc: %,d/s armed %,d of %,d (achieved %.0f rows/s)",
            phase.ratePerSecond(), m.armedCount, phase.rows(), m.achievedRate);
        rows.add(m.row(id(), phase, budget));
      }
    } finally {
      try {
        ctx.infra().database().dropReplicationSlot(slot);
      } catch (RuntimeException e) {
        notes.add("could not drop replication slot " + slot + ": " + e.getMessage());
      }
      HeraldScheduler.deleteTopics(ctx.infra(), appId);
      HeraldWiring.truncate(ctx);
    }
    notes.add(
        "Latency = record timestamp of the first 'active' ScheduleState − wall clock when"
            + " the row's autocommit INSERT returned (same host clock). Path: WAL → Debezium (poll"
            + " interval) → herald.schedule-changes (idempotent producer, acks=all) → Kafka Streams"
            + " (exactly_once_v2) → timer store → state published.");
    notes.add(
        "'captured' = record timestamp of the row's ScheduleChange on"
            + " herald.schedule-changes (the CDC engine's producer time) − commit: the Debezium half"
            + " of the path; 'armed' − 'captured' is Kafka Streams' half.");
    notes.add(
        "'visible' adds the exactly-once commit: a read_committed reader sees the state only"
            + " when Streams commits its transaction, every commit.interval.ms (100 ms by default"
            + " under EOS), so up to ~100 ms on top of 'armed' plus the commit itself.");
    boolean projector =
        !"false"
            .equalsIgnoreCase(overrides.getOrDefault("HERALD_SCHEDULER_PROJECTOR_ENABLED", "true"));
    notes.add(
        projector
            ? "The state projector is on (production wiring): it writes next_send_at back to each"
                + " row, which Debezium reads again and the mapper drops as a state-only update."
            : "The state projector is OFF (HERALD_SCHEDULER_PROJECTOR_ENABLED=false, a diagnosis):"
                + " no write-back, so Debezium reads each row once.");
    return new ScenarioResult(
        id(), title(), settings, rows, notes, System.currentTimeMillis() - started);
  }

  private static void insertDevice(BenchContext ctx) throws SQLException {
    try (Connection c = ctx.infra().database().connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, name, transport, status)"
                    + " VALUES (?::uuid, ?::uuid, 'bench-cdc', 'simulated', 'active')")) {
      ps.setString(1, DEVICE);
      ps.setString(2, TENANT);
      ps.executeUpdate();
    }
  }
}
