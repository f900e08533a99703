package io.herald.sender.backlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadAheadTest {

  private final ReadAhead ra = new ReadAhead(10, 4, true);

  @Test
  void shouldQueueWhileBothBudgetsHaveRoomAndNothingOfTheScheduleIsParked() {
    assertThat(ra.park(false, 0, 3, 9)).isFalse();
  }

  @Test
  void shouldParkWhenScheduleOrDeviceBudgetIsFullOrScheduleHasParkedCommands() {
    assertThat(ra.park(false, 0, 4, 4)).isTrue();
    assertThat(ra.park(false, 0, 0, 10)).isTrue();
    assertThat(ra.park(false, 1, 0, 0)).as("order: behind its parked ones").isTrue();
  }

  @Test
  void shouldParkEverythingOfHeldDeviceOnlyWhenAskedTo() {
    assertThat(ra.park(true, 0, 0, 0)).isTrue();
    assertThat(new ReadAhead(10, 4, false).park(true, 0, 0, 0)).isFalse();
    assertThat(ReadAhead.UNBOUNDED.park(true, 0, 1_000_000, 1_000_000)).isFalse();
  }

  @Test
  void shouldLoadInBatchesBelowHalfTheBudgetAndOneAtATimeWhenHeld() {
    assertThat(ra.load(false, 0, 0)).isEqualTo(4);
    assertThat(ra.load(false, 2, 2)).isEqualTo(2);
    assertThat(ra.load(false, 3, 3)).isZero();
    assertThat(ra.load(false, 0, 8)).isZero();
    assertThat(ra.load(true, 0, 0)).isEqualTo(1);
    assertThat(ra.load(true, 0, 1)).isZero();
  }

  @Test
  void shouldRefuseEmptyBudgetsAndCapScheduleAtDevice() {
    assertThatThrownBy(() -> new ReadAhead(0, 1, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ReadAhead(5, 50, true).perSchedule()).isEqualTo(5);
  }
}
