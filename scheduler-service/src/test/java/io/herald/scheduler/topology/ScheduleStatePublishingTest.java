package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static io.herald.scheduler.topology.SchedulerFixture.withActive;
import static io.herald.scheduler.topology.SchedulerFixture.withRule;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ScheduleState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler's decisions reach the rows through herald.schedule-states. */
class ScheduleStatePublishingTest {

  private static final String TENANT = "tenant-a";
  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

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

  private ScheduleChange daily9() {
    return recurring("r1", daily("09:00", "Europe/Berlin"), List.of("+6281200000001"), "Hi");
  }

  @Test
  void shouldPublishActiveWithNextDueWhenScheduleIsAccepted() {
    f.send(daily9());

    ScheduleState s = f.states.readValue();
    assertThat(s.scheduleKey()).isEqualTo("recurring:r1");
    assertThat(s.kind()).isEqualTo(ScheduleKind.RECURRING);
    assertThat(s.tenantId()).isEqualTo(TENANT);
    assertThat(s.status()).isEqualTo("active");
    assertThat(s.nextDueAt()).isEqualTo(NINE);
    assertThat(s.executionCount()).isZero();
    assertThat(f.states.isEmpty()).isTrue();
  }

  @Test
  void shouldPublishNothingWhenARedeliveredChangeAltersNothing() {
    f.send(daily9());
    f.states.readValue();

    f.send(daily9());

    assertThat(f.states.isEmpty()).isTrue();
  }

  @Test
  void shouldPublishNextDueAndCountWhenTheTimerFires() {
    f.send(daily9());
    f.states.readValue();

    f.jump(Duration.between(f.now(), NINE));

    ScheduleState s = f.states.readValue();
    assertThat(s.status()).isEqualTo("active");
    assertThat(s.executionCount()).isEqualTo(1);
    assertThat(s.nextDueAt()).isEqualTo(NINE.plus(Duration.ofDays(1)));
  }

  @Test
  void shouldPublishInactiveThenDeletedWhenDeactivatedThenDeleted() {
    f.send(daily9());
    f.states.readValue();

    f.send(withActive(daily9(), false, null));
    ScheduleState inactive = f.states.readValue();
    f.send(ScheduleChange.delete("recurring:r1", ScheduleKind.RECURRING, 9));
    ScheduleState deleted = f.states.readValue();

    assertThat(inactive.status()).isEqualTo("inactive");
    assertThat(inactive.nextDueAt()).isNull();
    assertThat(deleted.status()).isEqualTo("deleted");
    assertThat(deleted.kind()).isEqualTo(ScheduleKind.RECURRING);
  }

  @Test
  void shouldPublishActiveAgainWhenAnInvalidScheduleIsFixed() {
    f.send(withRule(daily9(), daily("09:00", "Europe/Berln")));
    assertThat(f.errors.readValue().message()).contains("Europe/Berln");
    assertThat(f.states.isEmpty()).isTrue();

    f.send(daily9());

    ScheduleState s = f.states.readValue();
    assertThat(s.status()).isEqualTo("active");
    assertThat(s.nextDueAt()).isEqualTo(NINE);
  }
}
