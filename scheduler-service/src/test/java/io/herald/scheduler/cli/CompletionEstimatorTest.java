package io.herald.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.PacingSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompletionEstimatorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant LATER = Instant.parse("2026-03-02T09:00:00Z");

  @ParameterizedTest(name = "{0} delay={1} random={2} batch={3}/{4}s cap={5} sends={6}")
  @CsvSource(
      nullValues = "-",
      value = {
        // type,   delay, random, batch, pause, cap,  sends, perSendMs, endAfterOccurrenceMs
        "manual,   10,    false,  -,     -,     -,    3,     10000,     30000",
        "manual,   10,    true,   -,     -,     -,    2,     12500,     25000",
        "manual,   0,     true,   -,     -,     -,    4,     500,       2000",
        "manual,   0,     false,  -,     -,     -,    4,     0,         0",
        "auto,     -,     false,  -,     -,     -,    2,     5000,      10000",
        "auto,     30,    true,   -,     -,     -,    2,     6250,      12500",
        "adaptive, 8,     false,  -,     -,     -,    1,     8000,      8000",
        "adaptive, -,     false,  -,     -,     -,    1,     5000,      5000",
        "-,        -,     -,      -,     -,     -,    1,     5000,      5000",
        "manual,   0,     false,  -,     -,     1.0,  3,     1000,      3000",
        "manual,   1,     false,  -,     -,     80.0, 3,     1000,      3000",
        "manual,   10,    false,  2,     60,    -,    5,     10000,     150000",
        "manual,   10,    false,  2,     5,     -,    5,     10000,     50000",
        "manual,   10,    false,  50,    60,    -,    0,     10000,     0",
      })
  void shouldEstimateLikeThePacerWhenPacingIsGiven(
      String type,
      Integer delay,
      Boolean random,
      Integer batch,
      Integer pause,
      Double cap,
      long sends,
      long perSendMs,
      long endAfterMs) {
    PacingSpec pacing = new PacingSpec(type, delay, random, batch, pause);

    CompletionEstimator.Estimate e =
        CompletionEstimator.estimate(pacing, cap, 0, sends, LATER, NOW);

    assertThat(e.perSend()).isEqualTo(Duration.ofMillis(perSendMs));
    assertThat(e.start()).isEqualTo(LATER);
    assertThat(e.end()).isEqualTo(LATER.plusMillis(endAfterMs));
  }

  @Test
  void shouldStartAfterTheBacklogFromNowWhenOccurrenceIsPast() {
    PacingSpec pacing = new PacingSpec("manual", 10, false, null, null);

    CompletionEstimator.Estimate e =
        CompletionEstimator.estimate(pacing, null, 6, 2, NOW.minusSeconds(3600), NOW);

    assertThat(e.start()).isEqualTo(NOW.plusSeconds(60));
    assertThat(e.end()).isEqualTo(NOW.plusSeconds(80));
  }

  @Test
  void shouldSayWhatItAssumesInOneLineWhenEstimating() {
    PacingSpec pacing = new PacingSpec("auto", 5, true, 50, 60);

    CompletionEstimator.Estimate e = CompletionEstimator.estimate(pacing, 80.0, 3, 1, LATER, NOW);

    assertThat(e.assumptions())
        .isEqualTo(
            "auto delay 5 s (sender default, quiet device) + mean jitter = 6.25 s; batches of 50,"
                + " 60 s pause; device cap 80/s; backlog of 3 paced the same; no retries, rate"
                + " limits or slow-down");
  }

  @Test
  void shouldPrintSecondsWithoutTrailingZerosWhenFormatting() {
    assertThat(CompletionEstimator.seconds(12500)).isEqualTo("12.5 s");
    assertThat(CompletionEstimator.seconds(5000)).isEqualTo("5 s");
    assertThat(CompletionEstimator.seconds(13)).isEqualTo("0.013 s");
  }
}
