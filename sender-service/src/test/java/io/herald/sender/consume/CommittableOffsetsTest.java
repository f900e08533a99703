package io.herald.sender.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CommittableOffsetsTest {

  private final CommittableOffsets offsets = new CommittableOffsets();

  @Test
  void shouldCommitNothingWhenNothingTracked() {
    assertThat(offsets.committable()).isEmpty();
    assertThat(offsets.toCommit()).isEmpty();
  }

  @Test
  void shouldStopAtLowestPendingWhenLaterRecordsAreDone() {
    offsets.track(10);
    offsets.track(11);
    offsets.track(12);
    offsets.done(11);
    offsets.done(12);
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(10));
    assertThat(offsets.inFlight()).isEqualTo(1);
  }

  @Test
  void shouldMovePastHighestWhenAllDone() {
    offsets.track(10);
    offsets.track(11);
    offsets.done(10);
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(11));
    offsets.done(11);
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(12));
  }

  @Test
  void shouldSkipOffsetGapsWhenTransactionMarkersInBetween() {
    offsets.track(0);
    offsets.track(2); // 1 is a commit marker
    offsets.track(5);
    offsets.done(0);
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(2));
    offsets.done(2);
    offsets.done(5);
    offsets.fetchedUpTo(7); // marker at 6
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(7));
  }

  @Test
  void shouldNotUseFetchPositionWhenRecordsPending() {
    offsets.track(3);
    offsets.fetchedUpTo(10);
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(3));
  }

  @Test
  void shouldOfferCommitOnlyWhenOffsetAdvanced() {
    offsets.track(0);
    offsets.done(0);
    assertThat(offsets.toCommit()).isEqualTo(OptionalLong.of(1));
    offsets.committed(1);
    assertThat(offsets.toCommit()).isEmpty();
    offsets.track(1);
    assertThat(offsets.toCommit()).isEmpty();
    offsets.done(1);
    assertThat(offsets.toCommit()).isEqualTo(OptionalLong.of(2));
  }

  @Test
  void shouldIgnoreDoneWhenOffsetUnknown() {
    offsets.track(4);
    offsets.done(99);
    assertThat(offsets.committable()).isEqualTo(OptionalLong.of(4));
  }
}
