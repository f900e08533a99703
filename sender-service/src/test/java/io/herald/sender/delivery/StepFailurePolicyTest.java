package io.herald.sender.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StepFailurePolicyTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private final StepFailurePolicy policy = new StepFailurePolicy(Duration.ofSeconds(5));

  @ParameterizedTest(name = "content failures {0}, calls {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // content failures | calls | decision
        "0 | 0 | retry +5s",
        "0 | 2 | retry +5s",
        "1 | 0 | retry +5s",
        "2 | 1 | retry +5s",
        "3 | 0 | FAILED unprocessable could not be processed (IllegalArgumentException)",
        "3 | 1 | UNKNOWN unprocessable could not be processed (IllegalArgumentException)",
        "4 | 0 | FAILED unprocessable could not be processed (IllegalArgumentException)",
      })
  void shouldSetCommandAsideWhenItsContentKeepsFailing(
      int contentFailures, int calls, String expected) {
    AfterFailure d = policy.afterFailure(contentFailures, calls, "IllegalArgumentException", NOW);

    String got =
        d.then(
            new AfterFailure.Steps<String>() {
              @Override
              public String retryStep(AfterFailure.RetryStepAt r) {
                return "retry +" + Duration.between(NOW, r.at()).toSeconds() + "s";
              }

              @Override
              public String setAside(AfterFailure.SetAside s) {
                return s.verdict().status() + " " + s.verdict().code() + " " + s.verdict().reason();
              }
            });
    assertThat(got).isEqualTo(expected);
  }
}
