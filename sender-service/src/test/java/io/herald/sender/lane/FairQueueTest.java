package io.herald.sender.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The device queue's picks. */
class FairQueueTest {

  private static final Instant NOW = Instant.parse("2026-06-01T08:00:00Z");

  private static LaneEntry entry(String schedule, String recipient, long offset) {
    SendCommand c =
        new SendCommand(
            1,
            CommandId.of(schedule, NOW, recipient),
            "t",
            "d",
            schedule,
            ScheduleKind.BROADCAST,
            NOW,
            recipient,
            RecipientType.INDIVIDUAL,
            null,
            "x",
            null,
            null,
            1,
            null);
    return new LaneEntry(new PendingCommand(c, 0, offset, () -> {}));
  }

  /**
   * A broadcast whose first 500 recipients wait a day for the messaging limit must not hide the
   * ready commands behind them (the scan is bounded), and a deferred recipient's later message
   * still waits for it.
   */
  @Test
  void shouldPickReadyCommandsBehindManyDeferredOnes() {
    FairQueue q = new FairQueue();
    for (int i = 0; i < 500; i++) {
      LaneEntry e = entry("broadcast:b", "+62811" + i, i);
      e.deferredByPolicy = true;
      e.notBefore = NOW.plus(Duration.ofHours(24));
      q.add(e);
    }
    LaneEntry ready = entry("broadcast:b", "+62899", 500);
    q.add(ready);
    LaneEntry laterToDeferred = entry("recurring:r", "+628110", 501);
    q.add(laterToDeferred);

    FairQueue.Pick pick = q.pick(4, NOW, Set.of(), 4 * 4 + 64);

    assertThat(pick.entries()).containsExactly(ready);
    FairQueue.Pick none = q.pick(4, NOW, Set.of("+62899"), 80);
    assertThat(none.entries()).isEmpty();
    assertThat(none.wakeAt()).isEqualTo(NOW.plus(Duration.ofHours(24)));
  }
}
