package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.START;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.SendCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host clock steps while Streams' own clock (the driver's, monotonic in production) keeps its
 * pace: decisions follow the host clock, punctuations keep running, nothing fires twice.
 */
class HostClockStepTest {

  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

  @TempDir Path stateDir;
  private final AtomicLong hostMillis = new AtomicLong(START.toEpochMilli());
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir, streamsMillis -> hostMillis.get());
    f.device(DEVICE, "tenant-a");
    f.send(recurring("r1", daily("09:00", "Europe/Berlin"), List.of("+6281200000001"), "Hi"));
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Advances Streams' clock and the host clock together, in punctuation-sized steps. */
  private void run(Duration d) {
    for (long ms = 0; ms < d.toMillis(); ms += 250) {
      hostMillis.addAndGet(250);
      f.advance(Duration.ofMillis(250));
    }
  }

  @Test
  void shouldFireOnTimeWhenTheHostClockSteppedBackwardsBeforeTheDueInstant() {
    hostMillis.set(NINE.minus(Duration.ofMinutes(1)).toEpochMilli());
    run(Duration.ofSeconds(1));
    hostMillis.addAndGet(-Duration.ofMinutes(10).toMillis()); // NTP step back

    run(Duration.ofMinutes(10).plusSeconds(58));
    assertThat(f.commands.isEmpty()).as("not yet due on the corrected clock").isTrue();
    run(Duration.ofSeconds(2));

    List<SendCommand> fired = f.commands();
    assertThat(fired).hasSize(1);
    assertThat(fired.get(0).occurrenceAt()).isEqualTo(NINE);
  }

  @Test
  void shouldNotFireAgainWhenTheHostClockStepsBackPastAFiredOccurrence() {
    hostMillis.set(NINE.toEpochMilli());
    run(Duration.ofSeconds(1));
    assertThat(f.commands()).hasSize(1);

    hostMillis.addAndGet(-Duration.ofMinutes(10).toMillis());
    run(Duration.ofMinutes(11));

    assertThat(f.commands.isEmpty()).isTrue();
  }

  @Test
  void shouldFireDueOccurrenceAtOnceWhenTheHostClockStepsForward() {
    hostMillis.set(NINE.minus(Duration.ofMinutes(5)).toEpochMilli());
    run(Duration.ofSeconds(1));
    assertThat(f.commands.isEmpty()).isTrue();

    hostMillis.addAndGet(Duration.ofMinutes(5).toMillis());
    run(Duration.ofMillis(500));

    assertThat(f.commands())
        .singleElement()
        .satisfies(c -> assertThat(c.occurrenceAt()).isEqualTo(NINE));
  }
}
