package io.herald.sender.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.sender.delivery.ErrorClass;
import io.herald.sender.delivery.Outcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutcomeClassifierTest {

  private final OutcomeClassifier classifier = new OutcomeClassifier();

  @ParameterizedTest(name = "HTTP {0} code {1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "200, null,   Sent,          null",
        "201, null,   Sent,          null",
        "429, 130429, Transient,     rate",
        "400, 131056, Transient,     rate",
        "400, 4,      Transient,     rate",
        "400, 80007,  Transient,     rate",
        "503, 131016, Transient,     plain",
        "500, 131000, Transient,     plain",
        "429, null,   Transient,     rate",
        "500, null,   Transient,     plain",
        "502, null,   Transient,     plain",
        "408, null,   Transient,     plain",
        "400, 131026, Permanent,     null",
        "400, 131047, Permanent,     null",
        "400, 131049, Permanent,     null",
        "400, 100,    Permanent,     null",
        "404, null,   Permanent,     null",
        "401, null,   Permanent,     null",
        "400, 131048, AccountDanger, null",
        "403, 368,    AccountDanger, null",
        "200, 131026, Permanent,     null",
      })
  void shouldClassifyWhenTransportAnswers(int status, String code, String kind, String flavour) {
    TransportResponse r =
        status >= 200 && status < 300 && code == null
            ? TransportResponse.accepted(status, "wamid.1")
            : TransportResponse.error(status, code, "reason", null);
    Outcome o = classifier.classify(r);
    assertThat(o.getClass().getSimpleName()).isEqualTo(kind);
    if (o instanceof Outcome.Transient) {
      assertThat(((Outcome.Transient) o).rateLimited()).isEqualTo("rate".equals(flavour));
      assertThat(((Outcome.Transient) o).code()).isEqualTo(code != null ? code : "http_" + status);
    }
    if (o instanceof Outcome.Sent) {
      assertThat(((Outcome.Sent) o).messageId()).isEqualTo("wamid.1");
    }
  }

  @Test
  void shouldRetryWhenRequestCertainlyDidNotReachServer() {
    assertThat(classifier.classify(TransportResponse.connectionError(null)))
        .isEqualTo(new Outcome.Transient("connection", "connection failed", null, false));
    assertThat(classifier.classify(TransportResponse.connectionError("connect timed out")))
        .isEqualTo(new Outcome.Transient("connection", "connect timed out", null, false));
  }

  @Test
  void shouldReportUnknownNotRetryWhenRequestMayHaveBeenReceived() {
    // issue #7 of the reliability run: a retried timeout reached WhatsApp twice
    assertThat(classifier.classify(TransportResponse.timeout("no answer within PT15S")))
        .isEqualTo(new Outcome.Unknown("timeout", "no answer within PT15S", null));
    assertThat(classifier.classify(TransportResponse.connectionLost(null)))
        .isEqualTo(
            new Outcome.Unknown(
                "connection_lost", "connection lost after the request was sent", null));
    assertThat(classifier.resentAlthoughMaybeReceived()).isEmpty();
  }

  @Test
  void shouldFailTimeoutAtOnceWhenOperatorPrefersNoDuplicates() {
    // the override documented before timeouts became unknown keeps working: failed, not resent
    OutcomeClassifier strict = new OutcomeClassifier(Map.of("timeout", ErrorClass.PERMANENT));
    assertThat(strict.classify(TransportResponse.timeout("t")))
        .isEqualTo(new Outcome.Permanent("timeout", "t"));
    assertThat(strict.classify(TransportResponse.connectionError("c")))
        .isInstanceOf(Outcome.Transient.class);
    assertThat(strict.classify(TransportResponse.connectionLost("c")))
        .isInstanceOf(Outcome.Unknown.class);
    assertThat(strict.resentAlthoughMaybeReceived()).isEmpty();
  }

  @Test
  void shouldRetryTimeoutAndNameItWhenOperatorMakesItTransient() {
    OutcomeClassifier lax = new OutcomeClassifier(Map.of("timeout", ErrorClass.TRANSIENT));
    assertThat(lax.classify(TransportResponse.timeout("t")))
        .isEqualTo(new Outcome.Transient("timeout", "t", null, false));
    assertThat(lax.resentAlthoughMaybeReceived()).containsExactly("timeout");
  }

  @Test
  void shouldReportUnknownWithRetryAfterWhenOperatorMapsAnsweredCodeToUnknown() {
    OutcomeClassifier custom = new OutcomeClassifier(Map.of("131000", ErrorClass.UNKNOWN));
    assertThat(
            custom.classify(TransportResponse.error(500, "131000", "oops", Duration.ofSeconds(2))))
        .isEqualTo(new Outcome.Unknown("131000", "oops", Duration.ofSeconds(2)));
    assertThat(ErrorClass.parse(" Unknown ")).isEqualTo(ErrorClass.UNKNOWN);
  }

  @Test
  void shouldTellMayHaveArrivedFromNotSentWhenNoAnswer() {
    assertThat(TransportResponse.Failure.TIMEOUT.mayHaveArrived()).isTrue();
    assertThat(TransportResponse.Failure.CONNECTION_LOST.mayHaveArrived()).isTrue();
    assertThat(TransportResponse.Failure.CONNECTION.mayHaveArrived()).isFalse();
    assertThat(TransportResponse.Failure.NONE.mayHaveArrived()).isFalse();
  }

  @Test
  void shouldCarryRetryAfterWhenTransportAsks() {
    Outcome o =
        classifier.classify(TransportResponse.error(429, null, null, Duration.ofSeconds(7)));
    assertThat(((Outcome.Transient) o).retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void shouldApplyOperatorOverrideWhenTableChanged() {
    OutcomeClassifier custom =
        new OutcomeClassifier(
            Map.of("131048", ErrorClass.PERMANENT, "131026", ErrorClass.TRANSIENT));
    assertThat(custom.classify(TransportResponse.error(400, "131048", "spam", null)))
        .isInstanceOf(Outcome.Permanent.class);
    assertThat(custom.classify(TransportResponse.error(400, "131026", "x", null)))
        .isInstanceOf(Outcome.Transient.class);
    assertThat(custom.table()).containsEntry("368", ErrorClass.ACCOUNT_DANGER);
  }
}
