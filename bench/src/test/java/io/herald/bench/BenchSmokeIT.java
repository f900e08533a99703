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
 * The bench's smoke mode, as part of the test command: tiny sizes through every built scenario on
 * a real broker and PostgreSQL. Checks behaviour (files written, every peer executed its tasks),
 * never speed.
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
    assertThat(md).contains("smoke run", "| cores (JVM) |", "| db-scheduler |", "| quartz |",
        "1. Burst fire", "2. Steady recurring load", "6. Recurrence maths");

    List<ResultRow> peerRows =
        outcome.report().scenarios().stream()
            .map(ScenarioResult::rows)
            .flatMap(List::stream)
            .filter(ResultRow::peer)
            .toList();
    assertThat(peerRows).extracting(ResultRow::system).contains("db-scheduler", "quartz");
    for (ResultRow row : peerRows) {
      double rate = row.number("rate /s").orElse(row.number("exec /s").orElse(Double.NaN));
      assertThat(rate).as("rate of %s %s %s", row.scenario(), row.variant(), row.system())
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
}
