package io.herald.sender.ledger.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.ledger.Finish;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A device's transport_config: parsed, or unusable with a reason, never an exception. */
class TransportConfigParseTest {

  @Test
  void shouldReadValuesWhenConfigIsAFlatObject() {
    TransportConfig c =
        TransportConfig.parse("d", "{\"phone_number_id\":\"1\",\"max_per_second\":2}");
    assertThat(c.problem()).isNull();
    assertThat(c.values())
        .containsEntry("phone_number_id", "1")
        .containsEntry("max_per_second", "2");
  }

  @Test
  void shouldBeUsableWithoutValuesWhenConfigIsNullOrNotAnObject() {
    assertThat(TransportConfig.parse("d", null).problem()).isNull();
    assertThat(TransportConfig.parse("d", "[1,2]").problem()).isNull();
  }

  @Test
  void shouldBeUnusableWhenConfigIsNotJson() {
    assertThat(TransportConfig.parse("d", "{not json").problem())
        .isEqualTo("transport_config is not valid JSON");
  }

  @Test
  void shouldBeUnusableWhenConfigIsLargerThanTheBound() {
    String big = "{\"k\":\"" + "x".repeat(Limits.TRANSPORT_CONFIG_MAX_BYTES) + "\"}";
    assertThat(TransportConfig.parse("d", big).problem())
        .isEqualTo("transport_config is larger than 16384 bytes");
  }

  @Test
  void shouldBeUnusableWhenConfigIsNestedAbsurdly() {
    String deep = "{\"a\":".repeat(500) + "1" + "}".repeat(500);
    assertThat(TransportConfig.parse("d", deep).problem())
        .isEqualTo("transport_config is nested deeper than 16 levels");
  }

  @Test
  void shouldCleanAndBoundProviderTextsWhenAFinishIsBuilt() {
    Finish f =
        new Finish(
            DeliveryStatus.FAILED,
            1,
            "wamid.\u0000" + "x".repeat(10_000),
            "code\u0000" + "c".repeat(1_000),
            "body with NUL \u0000 and more " + "m".repeat(100_000),
            Instant.EPOCH);
    assertThat(f.errorMessage()).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(2_000);
    assertThat(f.errorCode()).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(64);
    assertThat(f.transportMessageId()).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(512);
  }
}
