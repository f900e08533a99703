package io.herald.sender.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportedLimitTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      nullValues = "null",
      value = {
        "TIER_50,        50",
        "TIER_250,       250",
        "TIER_1K,        1000",
        "tier_2k,        2000",
        "TIER_10K,       10000",
        "TIER_100K,      100000",
        "1000,           1000",
        "TIER_1M,        1000000",
      })
  void shouldReadTierAsNumberWhenLimited(String tier, int expected) {
    ReportedLimit l = ReportedLimit.parse(tier);
    assertThat(l.unlimited()).isFalse();
    assertThat(l.limit()).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"TIER_UNLIMITED", "unlimited"})
  void shouldBeUnlimitedWithoutNumberWhenTierIsUnlimited(String tier) {
    ReportedLimit l = ReportedLimit.parse(tier);
    assertThat(l.unlimited()).isTrue();
    assertThat(l.limit()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {"null", "TIER_NOT_SET", "TIER_", "gold", "TIER_0", "TIER_99999999M", "-5"})
  void shouldLeaveLimitAsItIsWhenTierIsUnusable(String tier) {
    assertThat(ReportedLimit.parse(tier)).isNull();
  }
}
