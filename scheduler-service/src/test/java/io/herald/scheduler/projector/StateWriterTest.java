package io.herald.scheduler.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.limit.Limits;
import org.junit.jupiter.api.Test;

class StateWriterTest {

  @Test
  void shouldWriteABoundedNulFreeLastErrorWhenTheTextIsNeither() {
    String text = StateWriter.lastError("bad\u0000value " + "x".repeat(50_000));

    assertThat(text)
        .hasSizeLessThanOrEqualTo(Limits.ERROR_TEXT_MAX_CHARS)
        .doesNotContain("\u0000")
        .startsWith("bad value x");
  }

  @Test
  void shouldKeepNoErrorWhenThereIsNone() {
    assertThat(StateWriter.lastError(null)).isNull();
  }
}
