package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.contactId;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.outcome.Occurrence;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schedule and the contacts it names may be inserted in one transaction; the contacts reach the
 * scheduler through another topic, maybe later. A new schedule waits for them (up to the device
 * wait) instead of skipping them.
 */
class ContactWaitTest {

  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir);
    f.device(DEVICE, "tenant-a");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void shouldRenderTheContactWhenItArrivesAfterTheSchedule() {
    f.send(recurring("r1", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "Hi {name}"));
    f.advance(Duration.ofSeconds(2));
    assertThat(f.timerEntries()).as("held, not armed").isEmpty();

    f.contact(contactId(1), phone(1), "Ada", false);
    f.advance(Duration.ofMillis(500));
    assertThat(f.timerEntries()).hasSize(1);

    f.jump(Duration.between(f.now(), NINE));
    List<SendCommand> commands = f.commands();
    assertThat(commands)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.text()).isEqualTo("Hi Ada");
              assertThat(c.recipient()).isEqualTo(phone(1));
            });
  }

  @Test
  void shouldFireWithoutTheUnknownContactWhenTheWaitRunsOut() {
    f.contact(contactId(1), phone(1), "Ada", false);
    f.send(
        recurring(
            "r1",
            daily("09:00", "Europe/Berlin"),
            List.of(contactId(1), contactId(2)),
            "Hi {name}"));
    f.advance(Duration.ofSeconds(31));
    assertThat(f.timerEntries()).as("armed after the wait").hasSize(1);
    assertThat(f.errors.isEmpty()).as("a missing contact is not an invalid schedule").isTrue();

    f.jump(Duration.between(f.now(), NINE));
    assertThat(f.commands())
        .singleElement()
        .satisfies(c -> assertThat(c.recipient()).isEqualTo(phone(1)));
    Occurrence o = f.occurrences.readValue();
    assertThat(o.skippedCount()).isEqualTo(1);
  }
}
