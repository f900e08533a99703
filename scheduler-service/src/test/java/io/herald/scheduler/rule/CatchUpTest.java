package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link CompiledSchedule#onDue}: what fires after a timer goes off on time or late. */
class CatchUpTest {

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  private static List<Instant> instants(String spaceSeparated) {
    if (spaceSeparated == null || spaceSeparated.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(spaceSeparated.trim().split("\\s+"))
        .map(Instant::parse)
        .toList();
  }

  @Nested
  class DailyGoodMorning {

    private CompiledSchedule schedule(String catchUp) {
      return Spec.daily("09:00").start("2026-03-01").catchUp(catchUp).grace(3600).schedule();
    }

    @ParameterizedTest(name = "{0}: due {1}, now {2}")
    @CsvSource({
      // policy,  due,                  now,                  fired,                dropped, next
      "skip,      2026-03-02T09:00:00Z, 2026-03-02T09:00:00Z, 2026-03-02T09:00:00Z, 0,"
          + " 2026-03-03T09:00:00Z",
      "fire_once, 2026-03-02T09:00:00Z, 2026-03-02T09:00:59Z, 2026-03-02T09:00:00Z, 0,"
          + " 2026-03-03T09:00:00Z",
      "fire_all,  2026-03-02T09:00:00Z, 2026-03-02T09:01:00Z, 2026-03-02T09:00:00Z, 0,"
          + " 2026-03-03T09:00:00Z",
      // 30 minutes late: within the hour of grace
      "skip,      2026-03-02T09:00:00Z, 2026-03-02T09:30:00Z, ,                     1,"
          + " 2026-03-03T09:00:00Z",
      "fire_once, 2026-03-02T09:00:00Z, 2026-03-02T09:30:00Z, 2026-03-02T09:00:00Z, 0,"
          + " 2026-03-03T09:00:00Z",
      "fire_all,  2026-03-02T09:00:00Z, 2026-03-02T09:30:00Z, 2026-03-02T09:00:00Z, 0,"
          + " 2026-03-03T09:00:00Z",
      // 'good morning' at 3 pm: past the grace window, whatever the policy
      "skip,      2026-03-02T09:00:00Z, 2026-03-02T15:00:00Z, ,                     1,"
          + " 2026-03-03T09:00:00Z",
      "fire_once, 2026-03-02T09:00:00Z, 2026-03-02T15:00:00Z, ,                     1,"
          + " 2026-03-03T09:00:00Z",
      "fire_all,  2026-03-02T09:00:00Z, 2026-03-02T15:00:00Z, ,                     1,"
          + " 2026-03-03T09:00:00Z",
      // down three days, back 20 minutes after today's occurrence
      "skip,      2026-03-02T09:00:00Z, 2026-03-05T09:20:00Z, ,                     4,"
          + " 2026-03-06T09:00:00Z",
      "fire_once, 2026-03-02T09:00:00Z, 2026-03-05T09:20:00Z, 2026-03-05T09:00:00Z, 3,"
          + " 2026-03-06T09:00:00Z",
      "fire_all,  2026-03-02T09:00:00Z, 2026-03-05T09:20:00Z, 2026-03-05T09:00:00Z, 3,"
          + " 2026-03-06T09:00:00Z",
    })
    void shouldApplyPolicyWhenTimerFiresLate(
        String policy, String due, String now, String fired, int dropped, String next) {
      FireDecision decision = schedule(policy).onDue(at(due), at(now), 0);

      assertThat(decision)
          .isEqualTo(new FireDecision(instants(fired), dropped, Optional.of(at(next))));
    }
  }

  @Nested
  class Hourly {

    private CompiledSchedule schedule(String catchUp) {
      return Spec.every(1, "hours").start("2026-03-01").catchUp(catchUp).grace(3 * 3600).schedule();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
      "skip,      ,                                                                 6",
      "fire_once, 2026-03-01T05:00:00Z,                                             5",
      "fire_all,  2026-03-01T03:00:00Z 2026-03-01T04:00:00Z 2026-03-01T05:00:00Z, 3",
    })
    void shouldFireMissedOccurrencesWithinGraceWhenDownForHours(
        String policy, String fired, int dropped) {
      FireDecision decision =
          schedule(policy).onDue(at("2026-03-01T00:00:00Z"), at("2026-03-01T05:10:00Z"), 0);

      assertThat(decision.toFire()).isEqualTo(instants(fired));
      assertThat(decision.dropped()).isEqualTo(dropped);
      assertThat(decision.nextDue()).contains(at("2026-03-01T06:00:00Z"));
    }

    @Test
    void shouldFireMissedOccurrenceWithOnTimeOneWhenBothAreDue() {
      // back exactly at 05:00: 05:00 is on time, 04:00 is the latest missed one
      FireDecision decision =
          schedule("fire_once").onDue(at("2026-03-01T00:00:00Z"), at("2026-03-01T05:00:30Z"), 0);

      assertThat(decision.toFire())
          .containsExactly(at("2026-03-01T04:00:00Z"), at("2026-03-01T05:00:00Z"));
      assertThat(decision.dropped()).isEqualTo(4);
    }

    @Test
    void shouldCapFiredOccurrencesWhenMaxExecutionsIsReached() {
      CompiledSchedule schedule =
          Spec.every(1, "hours")
              .start("2026-03-01")
              .catchUp("fire_all")
              .grace(3 * 3600)
              .max(5)
              .schedule();

      FireDecision decision =
          schedule.onDue(at("2026-03-01T00:00:00Z"), at("2026-03-01T05:10:00Z"), 3);

      assertThat(decision.toFire())
          .containsExactly(at("2026-03-01T03:00:00Z"), at("2026-03-01T04:00:00Z"));
      assertThat(decision.dropped()).isEqualTo(4);
      assertThat(decision.finished()).isTrue();
    }

    @Test
    void shouldFireNothingWhenMaxExecutionsWasAlreadyReached() {
      CompiledSchedule schedule = Spec.every(1, "hours").start("2026-03-01").max(2).schedule();

      FireDecision decision =
          schedule.onDue(at("2026-03-01T02:00:00Z"), at("2026-03-01T02:00:00Z"), 2);

      assertThat(decision).isEqualTo(new FireDecision(List.of(), 1, Optional.empty()));
    }

    @Test
    void shouldAlwaysFireOnTimeOccurrenceWhenGraceIsZero() {
      CompiledSchedule schedule =
          Spec.every(1, "hours").start("2026-03-01").catchUp("fire_all").grace(0).schedule();

      FireDecision decision =
          schedule.onDue(at("2026-03-01T02:00:00Z"), at("2026-03-01T02:00:45Z"), 0);

      assertThat(decision.toFire()).containsExactly(at("2026-03-01T02:00:00Z"));
    }

    @Test
    void shouldWaitWhenTimerFiresBeforeDue() {
      FireDecision decision =
          schedule("fire_all").onDue(at("2026-03-01T02:00:00Z"), at("2026-03-01T01:59:59Z"), 0);

      assertThat(decision)
          .isEqualTo(new FireDecision(List.of(), 0, Optional.of(at("2026-03-01T02:00:00Z"))));
    }
  }

  @Nested
  class Bounds {

    @Test
    void shouldFinishWhenEndDateHasPassed() {
      CompiledSchedule schedule =
          Spec.daily("09:00").start("2026-03-01").end("2026-03-02").schedule();

      FireDecision decision =
          schedule.onDue(at("2026-03-02T09:00:00Z"), at("2026-03-02T09:00:10Z"), 1);

      assertThat(decision)
          .isEqualTo(new FireDecision(List.of(at("2026-03-02T09:00:00Z")), 0, Optional.empty()));
    }

    @Test
    void shouldFireOnceAndFinishWhenRuleIsOnce() {
      CompiledSchedule schedule = Spec.once("2026-03-08T07:30:00Z").schedule();

      FireDecision decision =
          schedule.onDue(at("2026-03-08T07:30:00Z"), at("2026-03-08T07:45:00Z"), 0);

      assertThat(decision)
          .isEqualTo(new FireDecision(List.of(at("2026-03-08T07:30:00Z")), 0, Optional.empty()));
    }

    @Test
    void shouldStopWalkingAndSaturateDropCountWhenDownForMonthsOnAMinuteRule() {
      CompiledSchedule schedule =
          Spec.cron("* * * * *").start("2026-01-01").catchUp("fire_once").schedule();

      long started = System.nanoTime();
      FireDecision decision =
          schedule.onDue(at("2026-01-01T00:00:00Z"), at("2026-06-01T00:00:30Z"), 0);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(decision.dropped()).isEqualTo(CompiledSchedule.MAX_COUNTED_DROPS);
      assertThat(decision.toFire())
          .containsExactly(at("2026-05-31T23:59:00Z"), at("2026-06-01T00:00:00Z"));
      assertThat(decision.nextDue()).contains(at("2026-06-01T00:01:00Z"));
      assertThat(took).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void shouldNeverReturnAFiredOccurrenceAsNextDueWhenNowIsExactlyAnOccurrence() {
      CompiledSchedule schedule = Spec.every(15, "minutes").start("2026-03-01").schedule();

      FireDecision decision =
          schedule.onDue(at("2026-03-01T00:15:00Z"), at("2026-03-01T00:15:00Z"), 1);

      assertThat(decision.toFire()).containsExactly(at("2026-03-01T00:15:00Z"));
      assertThat(decision.nextDue()).contains(at("2026-03-01T00:30:00Z"));
    }
  }
}
