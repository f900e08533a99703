package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.contactId;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.outcome.Occurrence;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An occurrence whose recipients fit in the tick's remaining budget is emitted at firing, without a
 * fan-out job; bigger ones, and any occurrence behind an unfinished one of the same schedule, still
 * go through the fanouts store. Either way every recipient gets exactly one command.
 */
class DirectEmissionTest {

  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");
  private static final String FANOUTS_CHANGELOG = "herald-scheduler-test-fanouts-changelog";

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void fixture(int maxCommandsPerTick) {
    f = new SchedulerFixture(stateDir, maxCommandsPerTick, 50_000);
    f.device(SchedulerFixture.DEVICE, SchedulerFixture.TENANT);
    for (int i = 1; i <= 5; i++) {
      f.contact(contactId(i), phone(i), "C" + i, false);
    }
  }

  private static List<String> contacts(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(SchedulerFixture::contactId).toList();
  }

  @Test
  void shouldEmitASmallOccurrenceInTheFiringTickWithoutWritingAFanOutJob() {
    fixture(10);
    f.send(recurring("r1", SchedulerFixture.daily("09:00", "Europe/Berlin"), contacts(3), "Hi"));

    f.advanceTo(NINE.plusMillis(250));

    assertThat(f.commands()).hasSize(3).extracting(SendCommand::occurrenceAt).containsOnly(NINE);
    assertThat(f.occurrences.readValuesToList())
        .singleElement()
        .satisfies(o -> assertThat(o.recipientCount()).isEqualTo(3));
    assertThat(f.driver.producedTopicNames()).doesNotContain(FANOUTS_CHANGELOG);
    assertThat(f.fanOutCount()).isZero();
  }

  @Test
  void shouldStoreAFanOutJobWhenTheRecipientsExceedTheTickBudget() {
    fixture(2);
    f.send(recurring("r1", SchedulerFixture.daily("09:00", "Europe/Berlin"), contacts(5), "Hi"));

    f.advanceTo(NINE.plusSeconds(2));

    assertThat(f.driver.producedTopicNames()).contains(FANOUTS_CHANGELOG);
    assertThat(f.commands())
        .hasSize(5)
        .extracting(c -> c.commandId().value())
        .doesNotHaveDuplicates();
    assertThat(f.fanOutCount()).isZero();
  }

  @Test
  void shouldEmitEveryMissedOccurrenceOnceWhenDirectAndStoredEmissionMix() {
    // Budget 4, three recipients, three missed days under fire_all (grace 3 days): the first
    // occurrence fits
    // (4 -> 1), the second does not and is stored, and the third must queue behind it.
    fixture(4);
    f.send(
        recurring(
            "r1",
            new RuleSpec(
                "daily",
                1,
                null,
                null,
                "09:00",
                null,
                null,
                "Europe/Berlin",
                "2026-06-01",
                null,
                null,
                "fire_all",
                3 * 86_400,
                null),
            contacts(3),
            "Hi"));

    f.jump(Duration.between(f.now(), NINE.plus(Duration.ofDays(2)).plusSeconds(60)));
    f.advance(Duration.ofSeconds(3));

    List<SendCommand> commands = f.commands();
    assertThat(commands).hasSize(9).extracting(c -> c.commandId().value()).doesNotHaveDuplicates();
    assertThat(commands)
        .extracting(SendCommand::occurrenceAt)
        .containsOnly(NINE, NINE.plus(Duration.ofDays(1)), NINE.plus(Duration.ofDays(2)));
    assertThat(f.occurrences.readValuesToList())
        .extracting(Occurrence::occurrenceAt)
        .containsExactly(NINE, NINE.plus(Duration.ofDays(1)), NINE.plus(Duration.ofDays(2)));
    assertThat(f.fanOutCount()).isZero();
  }

  @Test
  void shouldFireATimerArmedEarlierThanTimersAlreadyFired() {
    // The due scan starts after the last fired timer; arming an earlier one must lower it.
    fixture(10);
    f.send(recurring("r1", SchedulerFixture.daily("09:00", "Europe/Berlin"), contacts(1), "Hi"));
    f.advanceTo(NINE.plusSeconds(300));
    assertThat(f.commands()).hasSize(1);

    RuleSpec onceEarlier =
        new RuleSpec(
            "once",
            null,
            null,
            null,
            null,
            null,
            null,
            "Europe/Berlin",
            null,
            null,
            null,
            null,
            null,
            NINE.minusSeconds(600).toString());
    f.send(recurring("r2", onceEarlier, contacts(2), "Late"));
    f.advance(Duration.ofSeconds(1));

    assertThat(f.commands()).hasSize(2).extracting(SendCommand::text).containsOnly("Late");
  }
}
