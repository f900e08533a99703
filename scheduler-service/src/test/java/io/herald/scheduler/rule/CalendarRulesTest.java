package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Day selection of daily, weekly and monthly rules (UTC, so only the calendar matters here). */
class CalendarRulesTest {

  private static List<LocalDateTime> local(CompiledSchedule schedule, String from, int n) {
    ZoneId zone = schedule.zone();
    Instant start = LocalDateTime.parse(from).atZone(zone).toInstant();
    return schedule.upcoming(start, 0, n).stream()
        .map(i -> LocalDateTime.ofInstant(i, zone))
        .toList();
  }

  private static List<LocalDateTime> times(String spaceSeparated) {
    return Arrays.stream(spaceSeparated.trim().split("\\s+")).map(LocalDateTime::parse).toList();
  }

  @Nested
  class Daily {

    @ParameterizedTest(name = "every {0} days from {1}, preview from {2}")
    @CsvSource({
      "1, 2026-01-01, 2026-01-01T00:00, 2026-01-01T09:00 2026-01-02T09:00 2026-01-03T09:00",
      "1, 2026-01-01, 2026-01-01T09:00, 2026-01-01T09:00 2026-01-02T09:00",
      "1, 2026-01-01, 2026-01-01T09:00:01, 2026-01-02T09:00 2026-01-03T09:00",
      "3, 2026-01-01, 2026-01-01T00:00, 2026-01-01T09:00 2026-01-04T09:00 2026-01-07T09:00",
      "3, 2026-01-01, 2026-01-05T00:00, 2026-01-07T09:00 2026-01-10T09:00",
      "3, 2026-01-01, 2025-06-01T00:00, 2026-01-01T09:00 2026-01-04T09:00",
      "2, 2028-02-27, 2028-02-27T00:00, 2028-02-27T09:00 2028-02-29T09:00 2028-03-02T09:00",
      "7, 2025-12-28, 2026-01-01T00:00, 2026-01-04T09:00 2026-01-11T09:00",
    })
    void shouldStepFromStartDateWhenIntervalIsGiven(
        int interval, String start, String from, String expected) {
      CompiledSchedule schedule = Spec.daily("09:00").interval(interval).start(start).schedule();

      assertThat(local(schedule, from, times(expected).size())).isEqualTo(times(expected));
    }
  }

  @Nested
  class Weekly {

    @ParameterizedTest(name = "every {0} weeks on {1} from {2}")
    @CsvSource({
      // 2026-03-04 is a Wednesday; its Sunday-start week begins 2026-03-01.
      "1, 1 3,   2026-03-04, 2026-03-01T00:00, 2026-03-04T09:00 2026-03-09T09:00 2026-03-11T09:00",
      "2, 1 3,   2026-03-04, 2026-03-01T00:00, 2026-03-04T09:00 2026-03-16T09:00 2026-03-18T09:00"
          + " 2026-03-30T09:00",
      "2, 0,     2026-03-04, 2026-03-01T00:00, 2026-03-15T09:00 2026-03-29T09:00",
      "2, 6,     2026-03-04, 2026-03-01T00:00, 2026-03-07T09:00 2026-03-21T09:00",
      "3, 0 6,   2026-03-01, 2026-03-01T00:00, 2026-03-01T09:00 2026-03-07T09:00 2026-03-22T09:00"
          + " 2026-03-28T09:00",
      "2, 1 3,   2026-03-04, 2026-03-10T00:00, 2026-03-16T09:00 2026-03-18T09:00",
      "1, 0 1 2 3 4 5 6, 2026-03-04, 2026-03-06T10:00, 2026-03-07T09:00 2026-03-08T09:00",
      // a Sunday start is the first day of its own week
      "2, 0 1,   2026-03-08, 2026-03-01T00:00, 2026-03-08T09:00 2026-03-09T09:00 2026-03-22T09:00",
    })
    void shouldCountWeeksFromTheSundayStartWeekOfStartDateWhenIntervalIsGiven(
        int interval, String days, String start, String from, String expected) {
      Integer[] dayValues =
          Arrays.stream(days.trim().split("\\s+")).map(Integer::valueOf).toArray(Integer[]::new);
      CompiledSchedule schedule =
          Spec.weekly("09:00", dayValues).interval(interval).start(start).schedule();

      assertThat(local(schedule, from, times(expected).size())).isEqualTo(times(expected));
    }
  }

  @Nested
  class Monthly {

    @ParameterizedTest(name = "every {0} months on day {1} from {2}")
    @CsvSource({
      "1, 31, 2026-01-01, 2026-01-01T00:00, 2026-01-31T09:00 2026-02-28T09:00 2026-03-31T09:00"
          + " 2026-04-30T09:00",
      "1, 30, 2028-01-01, 2028-01-01T00:00, 2028-01-30T09:00 2028-02-29T09:00 2028-03-30T09:00",
      "1, 29, 2027-01-01, 2027-01-01T00:00, 2027-01-29T09:00 2027-02-28T09:00 2027-03-29T09:00",
      "12, 29, 2028-02-01, 2028-02-01T00:00, 2028-02-29T09:00 2029-02-28T09:00 2030-02-28T09:00"
          + " 2031-02-28T09:00 2032-02-29T09:00",
      "1, -1, 2026-01-01, 2026-01-01T00:00, 2026-01-31T09:00 2026-02-28T09:00 2026-03-31T09:00"
          + " 2026-04-30T09:00",
      "3, 31, 2026-01-31, 2026-01-01T00:00, 2026-01-31T09:00 2026-04-30T09:00 2026-07-31T09:00"
          + " 2026-10-31T09:00",
      // day 5 of the start month is before the start date: the first month that fires is the next
      // eligible one
      "1, 5, 2026-01-20, 2026-01-01T00:00, 2026-02-05T09:00 2026-03-05T09:00",
      "3, 5, 2026-01-20, 2026-01-01T00:00, 2026-04-05T09:00 2026-07-05T09:00",
      "2, 15, 2026-01-10, 2026-02-20T00:00, 2026-03-15T09:00 2026-05-15T09:00",
      "1, 1, 2026-12-01, 2026-12-15T00:00, 2027-01-01T09:00 2027-02-01T09:00",
    })
    void shouldUseLastDayOfShorterMonthsWhenDayOfMonthDoesNotExist(
        int interval, int dayOfMonth, String start, String from, String expected) {
      CompiledSchedule schedule =
          Spec.monthly("09:00", dayOfMonth).interval(interval).start(start).schedule();

      assertThat(local(schedule, from, times(expected).size())).isEqualTo(times(expected));
    }
  }

  @Nested
  class Bounds {

    @Test
    void shouldStopAfterEndDateWhenEndDateIsSet() {
      CompiledSchedule schedule =
          Spec.daily("23:30")
              .zone("Australia/Sydney")
              .start("2026-03-01")
              .end("2026-03-03")
              .schedule();

      assertThat(local(schedule, "2026-03-01T00:00", 10))
          .containsExactly(
              LocalDateTime.parse("2026-03-01T23:30"),
              LocalDateTime.parse("2026-03-02T23:30"),
              LocalDateTime.parse("2026-03-03T23:30"));
    }

    @Test
    void shouldIncludeOccurrenceOnEndDateWhenItIsLateInTheLocalDay() {
      // 23:59 local on the end date is already the next day in UTC: the end date is local.
      CompiledSchedule schedule =
          Spec.daily("23:59")
              .zone("America/New_York")
              .start("2026-03-01")
              .end("2026-03-01")
              .schedule();

      assertThat(schedule.upcoming(Instant.parse("2026-03-01T00:00:00Z"), 0, 5))
          .containsExactly(Instant.parse("2026-03-02T04:59:00Z"));
    }

    @Test
    void shouldFireOnlyOnThatDayWhenStartEqualsEnd() {
      CompiledSchedule schedule =
          Spec.weekly("09:00", 0, 1, 2, 3, 4, 5, 6)
              .start("2026-03-05")
              .end("2026-03-05")
              .schedule();

      assertThat(local(schedule, "2026-01-01T00:00", 5))
          .containsExactly(LocalDateTime.parse("2026-03-05T09:00"));
    }

    @Test
    void shouldStopAtMaxExecutionsWhenCountingFromTheFirstOccurrence() {
      CompiledSchedule schedule = Spec.daily("09:00").start("2026-03-01").max(3).schedule();
      Instant from = Instant.parse("2026-03-01T00:00:00Z");

      assertThat(schedule.upcoming(from, 0, 10)).hasSize(3);
      assertThat(schedule.upcoming(from, 2, 10)).hasSize(1);
      assertThat(schedule.upcoming(from, 3, 10)).isEmpty();
      assertThat(schedule.nextAfter(Instant.parse("2026-03-03T09:00:00Z"), 3)).isEmpty();
      assertThat(schedule.nextAfter(Instant.parse("2026-03-03T09:00:00Z"), 2))
          .contains(Instant.parse("2026-03-04T09:00:00Z"));
    }

    @Test
    void shouldHaveNoOccurrenceWhenMaxExecutionsIsZero() {
      CompiledSchedule schedule = Spec.daily("09:00").max(0).schedule();

      assertThat(schedule.nextAfter(Instant.parse("2026-03-01T00:00:00Z"), 0)).isEmpty();
      assertThat(schedule.upcoming(Instant.parse("2026-03-01T00:00:00Z"), 0, 5)).isEmpty();
    }

    @Test
    void shouldIgnoreMaxExecutionsWhenAskedForFirstOccurrence() {
      CompiledSchedule schedule = Spec.daily("09:00").start("2026-03-01").max(1).schedule();

      assertThat(schedule.firstAtOrAfter(Instant.parse("2026-03-01T09:00:00Z")))
          .contains(Instant.parse("2026-03-01T09:00:00Z"));
    }

    @Test
    void shouldNotFireBeforeStartDateWhenAskedFromEarlier() {
      CompiledSchedule schedule =
          Spec.cron("0 12 * * *").zone("Asia/Kolkata").start("2026-05-10").schedule();

      assertThat(schedule.firstAtOrAfter(Instant.parse("2020-01-01T00:00:00Z")))
          .contains(Instant.parse("2026-05-10T06:30:00Z"));
    }

    @Test
    void shouldReturnTheSameOccurrenceWhenAskedTwice() {
      CompiledSchedule schedule =
          Spec.weekly("07:15", 2, 4).interval(3).start("2026-02-11").schedule();
      Instant after = Instant.parse("2026-08-01T12:00:00Z");

      assertThat(schedule.nextAfter(after, 5)).isEqualTo(schedule.nextAfter(after, 5));
    }

    @Test
    void shouldHaveNoOccurrenceWhenEndDateIsBeforeDefaultStart() {
      CompiledSchedule schedule = Spec.daily("09:00").end("2025-06-01").schedule();

      assertThat(schedule.upcoming(Instant.parse("2020-01-01T00:00:00Z"), 0, 5)).isEmpty();
      assertThat(schedule.endDate()).contains(LocalDate.of(2025, 6, 1));
    }
  }

  @Nested
  class OnceRule {

    @Test
    void shouldFireExactlyOnceWhenRuleIsOnce() {
      CompiledSchedule schedule = Spec.once("2026-03-08T07:30:00Z").schedule();
      Instant at = Instant.parse("2026-03-08T07:30:00Z");

      assertThat(schedule.firstAtOrAfter(Instant.parse("2026-01-01T00:00:00Z"))).contains(at);
      assertThat(schedule.firstAtOrAfter(at)).contains(at);
      assertThat(schedule.nextAfter(at, 0)).isEmpty();
      assertThat(schedule.firstAtOrAfter(at.plusSeconds(1))).isEmpty();
    }
  }
}
