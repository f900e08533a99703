package io.herald.sender.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptOutKeywordsTest {

  private final OptOutKeywords keywords =
      new OptOutKeywords(List.of("STOP", "BERHENTI", "opt out"));

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "STOP|true",
        "stop|true",
        "  stop |true",
        "Berhenti|true",
        "opt    out|true",
        "OPT\tOUT|true",
        "\u00a0stop\u2003|true",
        "stopp|false",
        "please stop|false",
        "don't stop|false",
        "st op|false",
        "optout|false",
      })
  void shouldMatchWholeTextWhenCaseAndSpacesDiffer(String text, boolean expected) {
    assertThat(keywords.matches(text)).isEqualTo(expected);
  }

  @Test
  void shouldNotMatchWhenTextIsNullOrOverlong() {
    assertThat(keywords.matches(null)).isFalse();
    assertThat(keywords.matches("STOP" + " ".repeat(OptOutKeywords.MAX_TEXT_CHARS))).isFalse();
  }

  @Test
  void shouldMatchNothingWhenNoKeywordIsConfigured() {
    assertThat(new OptOutKeywords(List.of(" ", "")).matches("STOP")).isFalse();
  }
}
