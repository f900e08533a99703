package io.herald.sender.projector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The projector's retry backoff. Whose fault a failure is is decided by the runtime's {@code
 * SqlFailures} (tested there, for both projectors).
 */
class ResultProjectorBackoffTest {

  @Test
  void shouldBackOffExponentiallyUpToThirtySecondsWhenFailuresRepeat() {
    assertThat(ResultProjector.backoff(1).toMillis()).isEqualTo(200);
    assertThat(ResultProjector.backoff(2).toMillis()).isEqualTo(400);
    assertThat(ResultProjector.backoff(5).toMillis()).isEqualTo(3_200);
    assertThat(ResultProjector.backoff(9).toMillis()).isEqualTo(30_000);
    assertThat(ResultProjector.backoff(1_000).toMillis()).isEqualTo(30_000);
  }
}
