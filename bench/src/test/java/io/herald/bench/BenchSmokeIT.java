package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's smoke mode, as part of the test command: tiny sizes through every built scenario on a
 * real broker and PostgreSQL. Checks behaviour (files written, every peer executed its tasks, every
 * CDC row armed, every sender command sent once, every command of the scale rows' service JVMs out
 * exactly once, BullMQ ran or was skipped for want of redis-server or node), never speed.
 */
class BenchSmokeIT {

  @TempDir Path out;

  @Test
  void smokeRunWritesBothResultFilesAndEveryPeerRowHasAPositiveRate() throws Exception {
    BenchMain.Outcome outcome = BenchMain.run("--smoke", "--out", out.toString());

    assertThat(outcome.failures()).as("scenarios that threw").isEmpty();
    assertThat(outcome.markdown()).isRegularFile();
    assertThat(outcome.json()).isRegularFile();
    String md = Files.readString(outcome.markdown());
    assertThat(md)
        .contains(
            "smoke run",
            "| cores (JVM) |",
            "| db-scheduler |",
            "| quartz |",
            "1. Burst fire",
            "2. Steady recurring load",
            "3. Scale of state",
            "4. CDC latency",
            "5. Sender throughput",
            "5b. One device at its provider's rate",
            "6. Recurrence maths",
            "8. Duplicate race",
            "9. Scale out");

    // Scenario 4: every row inserted through PostgreSQL was armed (CDC → Streams → state).
    List<ResultRow> cdc = rows(outcome, "cdc");
    assertThat(cdc).as("CDC rows").hasSize(2);
    for (ResultRow row : cdc) {
      assertThat(row.number("armed").orElse(-1))
          .as("armed of %s", row.variant())
          .isEqualTo(row.number("rows").orElse(-2));
      assertThat(row.number("armed p99 ms").orElse(-1))
          .as("p99 of %s", row.variant())
          .isGreaterThanOrEqualTo(0);
    }
    // Scenario 3: 500 schedules through CDC all armed, both restarts reached RUNNING with every
    // timer back, and the 1 % moved into the lateness window fired once each.
    List<ResultRow> state = rows(outcome, "state");
    assertThat(state)
        .extracting(ResultRow::variant)
        .anyMatch(
            v ->
                v.startsWith(
                    "restart, state dir kept, old member removed from the group: start → RUNNING"))
        .anyMatch(v -> v.startsWith("restart, state dir wiped"));
    for (ResultRow row : state) {
      if (row.variant().startsWith("load: commit → last schedule armed")
          || row.variant().startsWith("restart")
          || row.variant().startsWith("state dir per schedule")) {
        assertThat(row.number("value").orElse(-1)).as(row.variant()).isGreaterThanOrEqualTo(0);
      }
      if (row.variant().equals("fired in window")) {
        assertThat(row.number("value").orElse(-1)).as("fired").isEqualTo(5);
      }
      if (row.variant().equals("duplicate send-commands")) {
        assertThat(row.number("value").orElse(-1)).as("duplicates").isZero();
      }
    }
    // Scenario 5: every command sent once through SenderApp, the pacing measured, the ledger run.
    List<ResultRow> sender = rows(outcome, "sender");
    assertThat(sender)
        .extracting(ResultRow::variant)
        .anyMatch(v -> v.startsWith("pacing"))
        .anyMatch(v -> v.startsWith("ledger alone"));
    for (ResultRow row : sender) {
      assertThat(row.number("sends /s").orElse(1)).as("rate of %s", row.variant()).isPositive();
      assertThat(row.number("repeated results").orElse(0))
          .as("repeats of %s", row.variant())
          .isZero();
      if (row.metrics().containsKey("sent")) {
        assertThat(row.number("sent").orElse(-1))
            .as("sent of %s", row.variant())
            .isEqualTo(row.number("deliveries rows sent").orElse(-2))
            .isEqualTo(row.number("results").orElse(-3));
      }
      if (row.variant().startsWith("pacing")) {
        assertThat(row.number("gaps").orElse(0)).as("pacing gaps").isPositive();
        // Behaviour, not speed: a gap is never shorter than asked.
        assertThat(row.number("gap min ms").orElse(0))
            .as("shortest gap")
            .isGreaterThanOrEqualTo(999);
      }
    }

    // Scenario 5b: every message of the device sent once, one request each, several in flight.
    List<ResultRow> deviceRate = rows(outcome, "device-rate");
    assertThat(deviceRate).as("device-rate rows").isNotEmpty();
    for (ResultRow row : deviceRate) {
      double messages =
          Double.parseDouble(
              row.variant().replaceAll(".*, ([0-9,]+) messages", "$1").replace(",", ""));
      assertThat(row.number("sent").orElse(-1)).as("sent of %s", row.variant()).isEqualTo(messages);
      assertThat(row.number("requests").orElse(-1))
          .as("requests of %s", row.variant())
          .isEqualTo(messages);
      assertThat(row.number("W seen").orElse(0)).as("W of %s", row.variant()).isGreaterThan(1);
    }

    assertScaleRanEveryCommandOnce(outcome);
    assertBullMqRanOrWasSkipped(outcome);

    // The duplicate race makes duplicates on purpose; every other peer row must have none.
    List<ResultRow> peerRows =
        outcome.report().scenarios().stream()
            .map(ScenarioResult::rows)
            .flatMap(List::stream)
            .filter(ResultRow::peer)
            .filter(r -> !r.scenario().equals("dup-race"))
            .toList();
    assertThat(peerRows).extracting(ResultRow::system).contains("db-scheduler", "quartz");
    for (ResultRow row : peerRows) {
      double rate = row.number("rate /s").orElse(row.number("exec /s").orElse(Double.NaN));
      assertThat(rate)
          .as("rate of %s %s %s", row.scenario(), row.variant(), row.system())
          .isPositive();
      assertThat(row.number("duplicates").orElse(-1)).as("duplicates of %s", row).isZero();
    }

    JsonNode json = new ObjectMapper().readTree(outcome.json().toFile());
    assertThat(json.path("mode").asText()).isEqualTo("smoke");
    assertThat(json.path("machine").path("cores (JVM)").asInt()).isPositive();
    assertThat(json.path("versions").path("db-scheduler").asText()).isEqualTo("16.7.1");
    assertThat(json.path("versions").path("quartz").asText()).isEqualTo("2.5.2");
    assertThat(json.path("scenarios").size()).isEqualTo(BenchMain.catalogue().size());
  }

  /**
   * Scenario 9: the services ran as separate JVMs, scheduler and sender each produced a throughput
   * row and a row for an instance stopping (the sender also one for an instance joining), and in
   * every row each command came out exactly once: as many distinct ids as were produced, no repeats
   * (for the sender also one ledger row 'sent' and one transport call each).
   */
  private static void assertScaleRanEveryCommandOnce(BenchMain.Outcome outcome) {
    List<ResultRow> scale = rows(outcome, "scale");
    assertThat(scale)
        .extracting(ResultRow::variant)
        .anyMatch(v -> v.startsWith("scheduler: 2 instances"))
        .anyMatch(v -> v.startsWith("scheduler: instance 1 of 2 stops"))
        .anyMatch(v -> v.startsWith("sender: 1 instance"))
        .anyMatch(v -> v.startsWith("sender: instance 2 joins 1 running"))
        .anyMatch(v -> v.startsWith("sender: instance 1 of 2 stops"));
    for (ResultRow row : scale) {
      assertThat(row.number("expected").orElse(0)).as("expected of %s", row.variant()).isPositive();
      assertThat(row.number("executed").orElse(-1))
          .as("executed of %s", row.variant())
          .isEqualTo(row.number("expected").orElse(-2));
      assertThat(row.number("duplicates").orElse(-1))
          .as("duplicates of %s", row.variant())
          .isZero();
      if (row.variant().contains("joins") || row.variant().contains("stops")) {
        // the group settled with the new member count (a number, not "did not settle")
        assertThat(row.number("group stable ms")).as("settled: %s", row.variant()).isPresent();
      }
    }
  }

  /**
   * BullMQ rows ran every task they were given with a positive rate, and the race reports its
   * counts (Herald's side without a duplicate); or, on a host without redis-server or node, every
   * scenario says they were skipped.
   */
  private static void assertBullMqRanOrWasSkipped(BenchMain.Outcome outcome) {
    for (String scenario : List.of("burst", "steady", "dup-race")) {
      List<ResultRow> bullmq =
          rows(outcome, scenario).stream().filter(r -> r.system().startsWith("bullmq-")).toList();
      if (bullmq.isEmpty()) {
        assertThat(notes(outcome, scenario))
            .as("%s: BullMQ rows absent, so a note must say they were skipped", scenario)
            .anyMatch(n -> n.contains("bullmq-seed") && n.contains("skipped on this host"));
        continue;
      }
      assertThat(bullmq)
          .extracting(ResultRow::system)
          .as("%s: both BullMQ variants", scenario)
          .contains("bullmq-seed", "bullmq-tuned");
      for (ResultRow row : bullmq) {
        String what = scenario + " " + row.variant() + " " + row.system();
        double rate = row.number("rate /s").orElse(row.number("exec /s").orElse(Double.NaN));
        assertThat(rate).as("rate of %s", what).isPositive();
        double executed = row.number("executed").orElse(-1);
        switch (scenario) {
          case "burst" ->
              assertThat(executed)
                  .as("executed of %s", what)
                  .isEqualTo(Double.parseDouble(row.variant().split(" ")[0].replace(",", "")));
          case "steady" -> {
            assertThat(executed)
                .as("executed of %s", what)
                .isEqualTo(row.number("expected").orElse(-2));
            assertThat(row.number("duplicates").orElse(-1)).as("duplicates of %s", what).isZero();
          }
          default -> {
            assertThat(executed)
                .as("executed of %s", what)
                .isEqualTo(row.number("occurrences").orElse(-2));
            assertThat(row.number("executions").orElse(-1))
                .as("executions of %s", what)
                .isEqualTo(executed + row.number("duplicates").orElse(-1));
          }
        }
      }
    }
    for (ResultRow row : rows(outcome, "dup-race")) {
      if (row.system().equals("herald")) {
        assertThat(row.number("executed").orElse(-1))
            .as("herald executed in %s", row.variant())
            .isEqualTo(row.number("occurrences").orElse(-2));
        assertThat(row.number("duplicates").orElse(-1))
            .as("herald duplicates in %s", row.variant())
            .isZero();
      }
    }
  }

  private static List<String> notes(BenchMain.Outcome outcome, String scenario) {
    return outcome.report().scenarios().stream()
        .filter(s -> s.id().equals(scenario))
        .map(ScenarioResult::notes)
        .flatMap(List::stream)
        .toList();
  }

  private static List<ResultRow> rows(BenchMain.Outcome outcome, String scenario) {
    return outcome.report().scenarios().stream()
        .filter(s -> s.id().equals(scenario))
        .map(ScenarioResult::rows)
        .flatMap(List::stream)
        .toList();
  }
}
