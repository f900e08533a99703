package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.TENANT;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.RuleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 §3: a gateway whose session is lost (the sender's prober marks the device {@code
 * disconnected}) holds its schedules' occurrences instead of sending them into a dead session; on
 * its return what was missed fires by the schedule's catch-up policy.
 */
class SessionHoldTest {

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir);
    f.device(DEVICE, TENANT);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static RuleSpec everyFiveMinutes(String catchUp) {
    return new RuleSpec(
        "custom",
        5,
        "minutes",
        null,
        null,
        null,
        null,
        "UTC",
        "2026-06-01",
        null,
        null,
        catchUp,
        3600,
        null);
  }

  private List<Instant> occurrences() {
    return f.commands().stream().map(SendCommand::occurrenceAt).toList();
  }

  private List<Instant> runThroughALostSession(String catchUp) {
    f.send(recurring("r1", everyFiveMinutes(catchUp), List.of(phone(1)), "Hi"));
    f.advance(Duration.ofSeconds(70));
    List<Instant> before = occurrences();

    assertThat(before).as("fires while the session works").isNotEmpty();

    f.device(DEVICE, TENANT, "disconnected");
    f.advance(Duration.ofMinutes(11)); // two occurrences pass
    assertThat(occurrences()).as("nothing fires while it is lost").isEmpty();

    f.device(DEVICE, TENANT, "active");
    f.advance(Duration.ofSeconds(20));
    return occurrences();
  }

  @Test
  void shouldFireEveryHeldOccurrenceOnReturnWhenCatchUpIsFireAll() {
    List<Instant> kept = runThroughALostSession("fire_all");

    assertThat(kept).as("both held occurrences, each once").hasSize(2);
    assertThat(kept).doesNotHaveDuplicates().isSorted();
    assertThat(Duration.between(kept.get(0), kept.get(1))).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void shouldFireOnlyTheLatestHeldOccurrenceOnReturnWhenCatchUpIsFireOnce() {
    List<Instant> kept = runThroughALostSession("fire_once");

    assertThat(kept).as("the latest held occurrence").hasSize(1);
  }

  @Test
  void shouldKeepFiringForAnOperatorsPause() {
    f.send(recurring("r1", everyFiveMinutes("fire_all"), List.of(phone(1)), "Hi"));
    f.device(DEVICE, TENANT, "paused"); // the sender holds its commands; occurrences still fire
    f.advance(Duration.ofMinutes(11));

    assertThat(occurrences()).hasSizeGreaterThanOrEqualTo(2);
  }
}
