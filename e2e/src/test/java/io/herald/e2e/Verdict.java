package io.herald.e2e;

import static org.awaitility.Awaitility.await;

import io.herald.testsupport.FakeWhatsAppApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fake WhatsApp API received compared with what the schedules imply.
 *
 * <ul>
 *   <li><b>duplicates</b>: command ids the fake received more than once;
 *   <li><b>lost</b>: implied command ids the fake never received and the ledger does not record as
 *       failed, expired or unknown (for a device on the simulated transport: not {@code sent});
 *   <li><b>unknown</b>: ids the ledger records as {@code unknown} (claimed, outcome never learnt);
 *   <li><b>unexpected</b>: ids the fake received for this workload's devices that no schedule
 *       implies (a misfire: wrong occurrence instant, wrong recipient).
 * </ul>
 */
record Verdict(
    String fault,
    int run,
    int expected,
    int requested,
    int sent,
    int duplicates,
    int lost,
    int failed,
    int expired,
    int unknown,
    int unexpected,
    long seconds,
    List<String> examples) {

  private static final Logger log = LoggerFactory.getLogger(Verdict.class);
  static final Path RESULTS = Path.of("target", "reliability-results.md");
  static final Set<String> FINAL = Set.of("sent", "failed", "expired", "unknown", "skipped");

  /** Number of repetitions per fault: {@code -Dherald.faults.repeat=20} for the nightly mode. */
  static int repeat() {
    String v = System.getProperty("herald.faults.repeat", "1");
    try {
      return Math.max(1, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Waits (bounded) until every implied id has a final ledger status and the fake has been quiet
   * for a moment, then measures. Never throws on timeout: the verdict shows what is missing.
   */
  static Verdict settleAndMeasure(
      String fault, int run, Workload w, Duration timeout, long startNanos) {
    Map<String, String> expected = w.expected();
    try {
      await(fault + ": every implied command has a final outcome")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Map<String, String> s = statuses(w);
                return expected.keySet().stream()
                    .allMatch(id -> s.get(id) != null && FINAL.contains(s.get(id)));
              });
      // Late duplicates (a re-fire, a resend) would arrive after the settle: stay a while.
      FakeWhatsAppApi fake = w.pipeline.fake;
      java.util.concurrent.atomic.AtomicInteger last =
          new java.util.concurrent.atomic.AtomicInteger(-1);
      // First reading at once, then every 3 s: settled when two readings 3 s apart agree.
      await("fake quiet for 3 s")
          .atMost(Duration.ofSeconds(30))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofSeconds(3))
          .until(() -> last.getAndSet(fake.requestCount()) == fake.requestCount());
    } catch (ConditionTimeoutException e) {
      log.warn("{} run {}: not settled within {}", fault, run, timeout);
    }
    return measure(fault, run, w, expected, startNanos);
  }

  static Verdict measure(
      String fault, int run, Workload w, Map<String, String> expected, long startNanos) {
    Set<String> pnids = w.phoneNumberIds();
    Map<String, Long> requests =
        w.pipeline.fake.requests().stream()
            .filter(r -> r.phoneNumberId() != null && pnids.contains(r.phoneNumberId()))
            .collect(
                Collectors.groupingBy(r -> r.commandId().orElse("<no id>"), Collectors.counting()));
    Map<String, String> statuses = statuses(w);
    Set<String> simulated = w.simulatedIds();
    int duplicates = 0;
    int unexpected = 0;
    List<String> examples = new java.util.ArrayList<>();
    for (Map.Entry<String, Long> e : requests.entrySet()) {
      if (e.getValue() > 1) {
        duplicates++;
        if (examples.size() < 10) {
          examples.add(
              "duplicate "
                  + e.getKey()
                  + " x"
                  + e.getValue()
                  + " "
                  + expected.getOrDefault(e.getKey(), "(not implied)")
                  + " status="
                  + statuses.get(e.getKey()));
        }
      }
      if (!expected.containsKey(e.getKey())) {
        unexpected++;
        if (examples.size() < 10) {
          examples.add("unexpected " + e.getKey() + " status=" + statuses.get(e.getKey()));
        }
      }
    }
    int lost = 0;
    int failed = 0;
    int expired = 0;
    int unknown = 0;
    int sent = 0;
    for (String id : expected.keySet()) {
      String s = statuses.get(id);
      if ("sent".equals(s)) {
        sent++;
      } else if ("failed".equals(s)) {
        failed++;
      } else if ("expired".equals(s)) {
        expired++;
      } else if ("unknown".equals(s)) {
        unknown++;
      }
      // A simulated device's sends never reach the fake: its ledger row is the evidence.
      boolean requested = requests.containsKey(id) || (simulated.contains(id) && "sent".equals(s));
      if (!requested && !"failed".equals(s) && !"expired".equals(s) && !"unknown".equals(s)) {
        lost++;
        if (examples.size() < 10) {
          examples.add("lost " + id + " " + expected.get(id) + " status=" + s);
        }
      }
    }
    long seconds = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
    Verdict v =
        new Verdict(
            fault,
            run,
            expected.size(),
            (int) requests.values().stream().mapToLong(Long::longValue).sum(),
            sent,
            duplicates,
            lost,
            failed,
            expired,
            unknown,
            unexpected,
            seconds,
            List.copyOf(examples));
    v.append();
    log.info("Verdict: {}", v);
    return v;
  }

  static Map<String, String> statuses(Workload w) {
    Map<String, String> out = new HashMap<>();
    try (Connection c = w.pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT command_id, status FROM deliveries WHERE user_id = ?")) {
      ps.setObject(1, UUID.fromString(w.tenant), Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    } catch (SQLException e) {
      // The database may be restarting (fault 4): report nothing settled yet.
      return Map.of();
    }
    return out;
  }

  /** Status counts of the ledger rows of this workload, for messages. */
  static Map<String, Long> statusCounts(Workload w) {
    return new TreeMap<>(
        statuses(w).values().stream()
            .collect(Collectors.groupingBy(s -> s, Collectors.counting())));
  }

  private synchronized void append() {
    try {
      Files.createDirectories(RESULTS.getParent());
      if (!Files.exists(RESULTS)) {
        Files.writeString(
            RESULTS,
            "| fault | run | expected | requests | sent | duplicates | lost"
                + " | failed | expired | unknown | unexpected | seconds |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      }
      Files.writeString(
          RESULTS,
          String.format(
              "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d" + " | %d | %d |%n",
              fault,
              run,
              expected,
              requested,
              sent,
              duplicates,
              lost,
              failed,
              expired,
              unknown,
              unexpected,
              seconds),
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
