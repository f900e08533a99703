package io.herald.bench.herald;

import io.herald.bench.herald.CdcLatencyScenario.Phase;
import io.herald.bench.infra.ExecutionLog;
import io.herald.bench.report.ResultRow;
import io.herald.bench.scenario.BenchContext;
import io.herald.contracts.outcome.ScheduleState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Latencies of one phase of {@link CdcLatencyScenario}, the run that measures them (rows inserted
 * at the phase's rate while the states are read) and the result row they make.
 */
final class CdcPhaseLatencies {
  final long[] commit;
  final long[] armed;
  final long[] visible;
  final long[] captured;
  int armedCount;
  double achievedRate;
  long duplicates;

  private CdcPhaseLatencies(int n) {
    commit = new long[n];
    armed = new long[n];
    visible = new long[n];
    captured = new long[n];
    Arrays.fill(armed, -1);
  }

  ResultRow row(String scenario, Phase phase, long budget) {
    int n = commit.length;
    long[] late = new long[armedCount];
    long[] seen = new long[armedCount];
    long[] cdc = new long[n];
    int k = 0;
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (armed[i] >= 0 && commit[i] > 0) {
        late[k] = armed[i] - commit[i];
        seen[k] = visible[i] - commit[i];
        k++;
      }
      if (captured[i] > 0 && commit[i] > 0) {
        cdc[c++] = captured[i] - commit[i];
      }
    }
    late = Arrays.copyOf(late, k);
    seen = Arrays.copyOf(seen, k);
    cdc = Arrays.copyOf(cdc, c);
    Arrays.sort(late);
    Arrays.sort(seen);
    Arrays.sort(cdc);
    ExecutionLog.Percentiles p = new ExecutionLog.Percentiles(late, n);
    ExecutionLog.Percentiles v = new ExecutionLog.Percentiles(seen, n);
    ExecutionLog.Percentiles d = new ExecutionLog.Percentiles(cdc, n);
    ResultRow.Builder row =
        ResultRow.of(
            scenario,
            String.format(Locale.ROOT, "%,d changes/s", phase.ratePerSecond()),
            "herald",
            false);
    row.metric("rows", n);
    row.metric("achieved rows/s", Math.round(achievedRate));
    row.metric("armed", k);
    row.metric("captured p50 ms", value(d.at(0.5), budget));
    row.metric("captured p99 ms", value(d.at(0.99), budget));
    row.metric("armed p50 ms", value(p.at(0.5), budget));
    row.metric("armed p99 ms", value(p.at(0.99), budget));
    row.metric("armed max ms", value(p.max(), budget));
    row.metric("visible p50 ms", value(v.at(0.5), budget));
    row.metric("visible p99 ms", value(v.at(0.99), budget));
    row.metric("visible max ms", value(v.max(), budget));
    row.metric("repeated states", duplicates);
    String note =
        k < n
            ? String.format(
                Locale.ROOT,
                "%,d of %,d never armed within %d s after the last insert",
                n - k,
                n,
                budget / 1000)
            : "";
    return row.note(note).build();
  }

  private static Object value(OptionalLong v, long budget) {
    return v.isPresent() ? (Object) v.getAsLong() : "> " + budget;
  }

  /** Inserts one phase's rows at its rate while reading states; waits for all or the budget. */
  static CdcPhaseLatencies measure(
      BenchContext ctx,
      HeraldScheduler herald,
      KafkaConsumer<String, ScheduleState> states,
      KafkaConsumer<String, byte[]> changes,
      Phase phase,
      int phaseNo,
      Duration budget)
      throws Exception {
    int n = phase.rows();
    CdcPhaseLatencies m = new CdcPhaseLatencies(n);
    Map<String, Integer> index = new HashMap<>(n * 2);
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] =
          new UUID(0x0cdc_0000_0000_4000L | ((long) phaseNo << 16), 0x8000_0000_0000_0000L | i)
              .toString();
      index.put("recurring:" + ids[i], i);
    }
    String timeOfDay =
        LocalTime.now(ZoneOffset.UTC).plusHours(6).format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    long start = System.currentTimeMillis() + 200;
    ExecutorService writers =
        Executors.newFixedThreadPool(
            CdcLatencyScenario.WRITERS,
            r -> {
              Thread t = new Thread(r, "bench-cdc-writer");
              t.setDaemon(true);
              return t;
            });
    List<Future<?>> done = new ArrayList<>();
    double periodMs = 1000.0 / phase.ratePerSecond();
    for (int w = 0; w < CdcLatencyScenario.WRITERS; w++) {
      int first = w;
      done.add(
          writers.submit(
              () -> {
                try (Connection c = ctx.infra().database().connection();
                    PreparedStatement ps =
                        c.prepareStatement(
                            "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                                + " target_contacts, frequency, time_of_day, timezone, delay_type,"
                                + " delay_seconds, randomize_delay) VALUES (?::uuid, ?::uuid, ?::uuid, ?,"
                                + " 'Hello from the bench', ?::jsonb, 'daily', ?::time, 'UTC', 'manual', 0,"
                                + " false)")) {
                  c.setAutoCommit(true);
                  for (int i = first; i < n; i += CdcLatencyScenario.WRITERS) {
                    long due = start + (long) (i * periodMs);
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) {
                      Thread.sleep(wait);
                    }
                    ps.setString(1, ids[i]);
                    ps.setString(2, CdcLatencyScenario.TENANT);
                    ps.setString(3, CdcLatencyScenario.DEVICE);
                    ps.setString(4, "bench cdc " + i);
                    ps.setString(5, "[\"" + HeraldBurstScenario.phone(i) + "\"]");
                    ps.setString(6, timeOfDay);
                    ps.executeUpdate();
                    m.commit[i] = System.currentTimeMillis();
                  }
                }
                return null;
              }));
    }
    writers.shutdown();
    long deadline = Long.MAX_VALUE;
    while (m.armedCount < n && System.currentTimeMillis() < deadline) {
      if (herald.failed()) {
        throw new IllegalStateException("Herald's Kafka Streams reached ERROR");
      }
      for (ConsumerRecord<String, byte[]> r : changes.poll(Duration.ofMillis(5))) {
        Integer i = index.get(r.key());
        if (i != null && m.captured[i] == 0) {
          m.captured[i] = r.timestamp();
        }
      }
      for (ConsumerRecord<String, ScheduleState> r : states.poll(Duration.ofMillis(15))) {
        long now = System.currentTimeMillis();
        Integer i = index.get(r.key());
        if (i == null || r.value() == null || !"active".equals(r.value().status())) {
          continue;
        }
        if (m.armed[i] >= 0) {
          m.duplicates++;
          continue;
        }
        m.armed[i] = r.timestamp();
        m.visible[i] = now;
        m.armedCount++;
      }
      if (deadline == Long.MAX_VALUE && writers.isTerminated()) {
        for (Future<?> f : done) {
          f.get(); // surfaces an insert failure
        }
        deadline = System.currentTimeMillis() + budget.toMillis();
      }
    }
    writers.shutdownNow();
    long first = Arrays.stream(m.commit).filter(t -> t > 0).min().orElse(start);
    long last = Arrays.stream(m.commit).max().orElse(start);
    // n commits span n - 1 intervals of the target period.
    m.achievedRate = (n - 1) / Math.max(0.001, (last - first) / 1000.0);
    return m;
  }
}
