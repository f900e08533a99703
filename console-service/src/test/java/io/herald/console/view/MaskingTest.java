package io.herald.console.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaskingTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // E.164: the country code and the last 2 digits stay
        "+6281234567812|+62•••••••••12",
        "+14155550123|+1••••••••23",
        "+447911123456|+44••••••••56",
        "+97150123456|+971••••••56",
        // loose: spaces and dashes between digits, separators dropped
        "+62 812-3456-7812|+62•••••••••12",
        "0812 3456 7890|••••••••••90",
        "628123456781|••••••••••81",
        // 8 and 15 digits are the bounds
        "12345678|••••••78",
        "123456789012345|•••••••••••••45",
      })
  void masksNumbers(String number, String masked) {
    assertThat(Masking.mask(number)).isEqualTo(masked);
    assertThat(Masking.mask("to " + number + ", ok")).isEqualTo("to " + masked + ", ok");
  }

  @Test
  void masksNumbersInsideJson() {
    String json = "{\"recipient\":\"+6281234567812\",\"wa_id\":\"6281234567812\"}";
    assertThat(Masking.mask(json))
        .isEqualTo("{\"recipient\":\"+62•••••••••12\",\"wa_id\":\"•••••••••••12\"}")
        .doesNotContain("81234567");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // too short or too long to be a phone number
        "1234567",
        "1234567890123456",
        // a UUID's digit groups are one run longer than 15
        "11111111-1111-4111-8111-111111111111",
        // an ISO date stays readable
        "2026-12-07T10:00:00Z",
        "occurrence 42 of 7",
      })
  void leavesOtherTextAlone(String text) {
    assertThat(Masking.mask(text)).isEqualTo(text);
  }

  @Test
  void nullStaysNull() {
    assertThat(Masking.mask(null)).isNull();
  }

  @Test
  void payloadIsMaskedBeforeItIsCut() {
    // a number straddling the cut must not leave its unmasked head behind
    String filler = "x".repeat(Html.MAX_PAYLOAD_BYTES - 5);
    String shown = Html.payload((filler + "+6281234567812 tail").getBytes());
    assertThat(shown).doesNotContain("+6281").doesNotContain("81234");
    assertThat(shown).contains("bytes, the first " + Html.MAX_PAYLOAD_BYTES + " shown");
  }
}
