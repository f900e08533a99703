package io.herald.sender.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.outcome.DeliveryStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutcomePolicyTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final int MAX_ATTEMPTS = 3;

  /** Backoff: 10 s per call made, never shorter than what the transport asked for. */
  private static final OutcomePolicy.Backoff BACKOFF =
      (calls, retryAfter) -> {
        Duration d = Duration.ofSeconds(10L * calls);
        return retryAfter != null && retryAfter.compareTo(d) > 0 ? retryAfter : d;
      };

  private static Outcome outcome(String kind, String retryAfterSeconds) {
    Duration ra =
        retryAfterSeconds == null ? null : Duration.ofSeconds(Long.parseLong(retryAfterSeconds));
    switch (kind) {
      case "sent":
        return new Outcome.Sent("wamid.1");
      case "transient":
        return new Outcome.Transient("http_503", "unavailable", ra, false);
      case "rate_limited":
        return new Outcome.Transient("130429", "too fast", ra, true);
      case "unknown":
        return new Outcome.Unknown("timeout", "no answer", ra);
      case "permanent":
        return new Outcome.Permanent("131026", "undeliverable");
      case "danger":
        return new Outcome.AccountDanger("131048", "spam limit");
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  /** step, status or retry delay, code, signal, last: one line per decision. */
  private static String describe(NextStep s) {
    String what =
        s.then(
            new NextStep.Steps<String>() {
              @Override
              public String conclude(NextStep.Conclude c) {
                return "conclude " + c.verdict().status() + " " + c.verdict().code();
              }

              @Override
              public String retry(NextStep.RetryAt r) {
                return "retry +" + Duration.between(NOW, r.at()).toSeconds() + "s " + r.code();
              }

              @Override
              public String reportUnknown(NextStep.ReportUnknown u) {
                return "unknown " + u.verdict().status() + " " + u.verdict().code();
              }

              @Override
              public String concludeAndPause(NextStep.ConcludeAndPause p) {
                return "pause " + p.verdict().status() + " " + p.verdict().code();
              }
            });
    return what + " " + s.signal() + (s.last() ? " last" : "");
  }

  @ParameterizedTest(name = "{0} after {1} calls in {2} (retry-after {3}) -> {4}")
  @CsvSource(
      nullValues = "-",
      delimiter = '|',
      value = {
        // outcome   | calls | mode          | retry-after s | next step
        "sent         | 1 | AT_MOST_ONCE  | -  | conclude SENT null SUCCESS last",
        "sent         | 3 | AT_LEAST_ONCE | -  | conclude SENT null SUCCESS last",
        "transient    | 1 | AT_MOST_ONCE  | -  | retry +10s http_503 OTHER",
        "transient    | 2 | AT_MOST_ONCE  | -  | retry +20s http_503 OTHER",
        "transient    | 1 | AT_MOST_ONCE  | 60 | retry +60s http_503 OTHER",
        "transient    | 3 | AT_MOST_ONCE  | -  | conclude FAILED http_503 OTHER last",
        "transient    | 4 | AT_LEAST_ONCE | -  | conclude FAILED http_503 OTHER last",
        "rate_limited | 1 | AT_MOST_ONCE  | 5  | retry +10s 130429 RATE_LIMITED",
        "rate_limited | 3 | AT_MOST_ONCE  | -  | conclude FAILED 130429 RATE_LIMITED last",
        "unknown      | 1 | AT_MOST_ONCE  | -  | unknown UNKNOWN timeout OTHER last",
        "unknown      | 1 | AT_LEAST_ONCE | -  | retry +10s timeout OTHER",
        "unknown      | 2 | AT_LEAST_ONCE | 30 | retry +30s timeout OTHER",
        "unknown      | 3 | AT_LEAST_ONCE | -  | unknown UNKNOWN timeout OTHER last",
        "permanent    | 1 | AT_MOST_ONCE  | -  | conclude FAILED 131026 OTHER last",
        "permanent    | 1 | AT_LEAST_ONCE | -  | conclude FAILED 131026 OTHER last",
        "danger       | 1 | AT_MOST_ONCE  | -  | pause FAILED 131048 OTHER last",
        "danger       | 2 | AT_LEAST_ONCE | -  | pause FAILED 131048 OTHER last",
      })
  void shouldChooseNextStepWhenCallAnswered(
      String kind, int calls, DeliveryMode mode, String retryAfter, String expected) {
    OutcomePolicy policy = new OutcomePolicy(MAX_ATTEMPTS, mode, BACKOFF);

    assertThat(describe(policy.afterCall(outcome(kind, retryAfter), calls, NOW)))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} after {1} calls in {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "transient | 3 | AT_MOST_ONCE  | gave up after 3 attempts: unavailable",
        "unknown   | 1 | AT_MOST_ONCE  | no answer; the message may have been delivered; not resent (at-most-once)",
        "unknown   | 3 | AT_LEAST_ONCE | no answer; the message may have been delivered; gave up after 3 attempts (at-least-once)",
        "permanent | 1 | AT_MOST_ONCE  | undeliverable",
        "danger    | 1 | AT_MOST_ONCE  | spam limit",
      })
  void shouldExplainTheFinalReasonWhenConcluded(
      String kind, int calls, DeliveryMode mode, String reason) {
    NextStep s =
        new OutcomePolicy(MAX_ATTEMPTS, mode, BACKOFF).afterCall(outcome(kind, null), calls, NOW);

    Verdict v =
        s.then(
            new NextStep.Steps<Verdict>() {
              @Override
              public Verdict conclude(NextStep.Conclude c) {
                return c.verdict();
              }

              @Override
              public Verdict retry(NextStep.RetryAt r) {
                throw new AssertionError("not final: " + r);
              }

              @Override
              public Verdict reportUnknown(NextStep.ReportUnknown u) {
                assertThat(u.cause()).isEqualTo("no answer");
                return u.verdict();
              }

              @Override
              public Verdict concludeAndPause(NextStep.ConcludeAndPause p) {
                assertThat(p.pauseReason()).isEqualTo("131048: spam limit");
                return p.verdict();
              }
            });
    assertThat(v.reason()).isEqualTo(reason);
    assertThat(v.status()).isNotEqualTo(DeliveryStatus.SENT);
  }
}
