package io.herald.sender.lane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryBackoffTest {

  private final RetryBackoff backoff =
      new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new SplittableRandom(7));

  @ParameterizedTest(name = "after attempt {0}: {1}..{2} ms")
  @CsvSource({
    "1, 500, 1000",
    "2, 1000, 2000",
    "3, 2000, 4000",
    "6, 15000, 30000",
    "40, 15000, 30000"
  })
  void shouldGrowExponentiallyWithJitterWhenAttemptsIncrease(int attempts, long min, long max) {
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.next(attempts, null).toMillis()).isBetween(min, max);
    }
  }

  @Test
  void shouldHonourRetryAfterWhenLongerThanBackoff() {
    assertThat(backoff.next(1, Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(20));
  }
}
