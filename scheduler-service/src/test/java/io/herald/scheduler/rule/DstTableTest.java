package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The day before, of and after each DST transition (db-scheduler's {@code DailyTest} idea), with
 * the expected occurrences written out as local time and offset. Gap: the wall time moves forward
 * by the gap. Overlap: the earlier instant, once.
 */
class DstTableTest {

  /** The occurrences from {@code fromDate} 00:00 local on, rendered with their offsets. */
  private static List<OffsetDateTime> occurrences(
      CompiledSchedule schedule, String fromDate, int n) {
    ZoneId zone = schedule.zone();
    Instant from = LocalDate.parse(fromDate).atStartOfDay(zone).toInstant();
    return schedule.upcoming(from, 0, n).stream()
        .map(i -> i.atZone(zone).toOffsetDateTime())
        .toList();
  }

  private static List<OffsetDateTime> expected(String spaceSeparated) {
    return Arrays.stream(spaceSeparated.trim().split("\\s+")).map(OffsetDateTime::parse).toList();
  }

  @Nested
  class Daily {

    @ParameterizedTest(name = "{0} daily at {1} from {2}")
    @CsvSource({
      // zone, time_of_day, from date, expected occurrences (day before, of, after the switch)
      "America/New_York, 02:30, 2026-03-07, 2026-03-07T02:30-05:00 2026-03-08T03:30-04:00"
          + " 2026-03-09T02:30-04:00",
      "America/New_York, 02:00, 2026-03-07, 2026-03-07T02:00-05:00 2026-03-08T03:00-04:00"
          + " 2026-03-09T02:00-04:00",
      "America/New_York, 03:00, 2026-03-07, 2026-03-07T03:00-05:00 2026-03-08T03:00-04:00"
          + " 2026-03-09T03:00-04:00",
      "America/New_York, 01:59, 2026-03-07, 2026-03-07T01:59-05:00 2026-03-08T01:59-05:00"
          + " 2026-03-09T01:59-04:00",
      "America/New_York, 09:00, 2026-03-07, 2026-03-07T09:00-05:00 2026-03-08T09:00-04:00"
          + " 2026-03-09T09:00-04:00",
      "America/New_York, 01:30, 2026-10-31, 2026-10-31T01:30-04:00 2026-11-01T01:30-04:00"
          + " 2026-11-02T01:30-05:00",
      "America/New_York, 01:00, 2026-10-31, 2026-10-31T01:00-04:00 2026-11-01T01:00-04:00"
          + " 2026-11-02T01:00-05:00",
      "America/New_York, 02:00, 2026-10-31, 2026-10-31T02:00-04:00 2026-11-01T02:00-05:00"
          + " 2026-11-02T02:00-05:00",
      "America/New_York, 00:59, 2026-10-31, 2026-10-31T00:59-04:00 2026-11-01T00:59-04:00"
          + " 2026-11-02T00:59-05:00",
      "Europe/London,    01:30, 2026-03-28, 2026-03-28T01:30Z      2026-03-29T02:30+01:00"
          + " 2026-03-30T01:30+01:00",
      "Europe/London,    01:30, 2026-10-24, 2026-10-24T01:30+01:00 2026-10-25T01:30+01:00"
          + " 2026-10-26T01:30Z",
      "Europe/London,    00:30, 2026-03-28, 2026-03-28T00:30Z      2026-03-29T00:30Z     "
          + " 2026-03-30T00:30+01:00",
      "Europe/Berlin,    02:30, 2026-03-28, 2026-03-28T02:30+01:00 2026-03-29T03:30+02:00"
          + " 2026-03-30T02:30+02:00",
      "Europe/Berlin,    02:30, 2026-10-24, 2026-10-24T02:30+02:00 2026-10-25T02:30+02:00"
          + " 2026-10-26T02:30+01:00",
      "Europe/Berlin,    03:00, 2026-10-24, 2026-10-24T03:00+02:00 2026-10-25T03:00+01:00"
          + " 2026-10-26T03:00+01:00",
      "Australia/Sydney, 02:30, 2026-10-03, 2026-10-03T02:30+10:00 2026-10-04T03:30+11:00"
          + " 2026-10-05T02:30+11:00",
      "Australia/Sydney, 02:30, 2026-04-04, 2026-04-04T02:30+11:00 2026-04-05T02:30+11:00"
          + " 2026-04-06T02:30+10:00",
      "Australia/Sydney, 09:00, 2026-04-04, 2026-04-04T09:00+11:00 2026-04-05T09:00+10:00"
          + " 2026-04-06T09:00+10:00",
      "Pacific/Chatham,  03:00, 2026-09-26, 2026-09-26T03:00+12:45 2026-09-27T04:00+13:45"
          + " 2026-09-28T03:00+13:45",
      "Pacific/Chatham,  02:50, 2026-04-04, 2026-04-04T02:50+13:45 2026-04-05T02:50+13:45"
          + " 2026-04-06T02:50+12:45",
      "Asia/Jakarta,     02:30, 2026-03-07, 2026-03-07T02:30+07:00 2026-03-08T02:30+07:00"
          + " 2026-03-09T02:30+07:00",
      "Asia/Kolkata,     09:00, 2026-03-28, 2026-03-28T09:00+05:30 2026-03-29T09:00+05:30"
          + " 2026-03-30T09:00+05:30",
      "Asia/Kathmandu,   09:00, 2026-10-24, 2026-10-24T09:00+05:45 2026-10-25T09:00+05:45"
          + " 2026-10-26T09:00+05:45",
      "UTC,              02:30, 2026-03-28, 2026-03-28T02:30Z      2026-03-29T02:30Z     "
          + " 2026-03-30T02:30Z",
      // Sao Paulo switched at midnight until 2019: 00:00 itself did not exist ...
      "America/Sao_Paulo, 00:00, 2018-11-03, 2018-11-03T00:00-03:00 2018-11-04T01:00-02:00"
          + " 2018-11-05T00:00-02:00",
      // ... and the hour before midnight repeated on the way back (the local date went backwards).
      "America/Sao_Paulo, 23:30, 2019-02-15, 2019-02-15T23:30-02:00 2019-02-16T23:30-02:00"
          + " 2019-02-17T23:30-03:00",
      // Since the 2019 abolition: no more transitions.
      "America/Sao_Paulo, 00:00, 2026-11-01, 2026-11-01T00:00-03:00 2026-11-02T00:00-03:00"
          + " 2026-11-03T00:00-03:00",
    })
    void shouldFireOncePerDayWhenClocksChange(
        String zone, String time, String from, String expected) {
      CompiledSchedule schedule = Spec.daily(time).zone(zone).start("2018-01-01").schedule();

      assertThat(occurrences(schedule, from, 3)).isEqualTo(expected(expected));
    }
  }

  @Nested
  class WeeklyAndMonthly {

    @ParameterizedTest(name = "{0} weekly on {2} at {1} from {3}")
    @CsvSource({
      "America/New_York, 02:30, 0, 2026-03-01, 2026-03-01T02:30-05:00 2026-03-08T03:30-04:00"
          + " 2026-03-15T02:30-04:00",
      "America/New_York, 01:30, 0, 2026-10-25, 2026-10-25T01:30-04:00 2026-11-01T01:30-04:00"
          + " 2026-11-08T01:30-05:00",
      "Europe/Berlin,    02:30, 0, 2026-03-22, 2026-03-22T02:30+01:00 2026-03-29T03:30+02:00"
          + " 2026-04-05T02:30+02:00",
      "Australia/Sydney, 02:30, 0, 2026-09-27, 2026-09-27T02:30+10:00 2026-10-04T03:30+11:00"
          + " 2026-10-11T02:30+11:00",
      "Pacific/Chatham,  03:00, 0, 2026-09-20, 2026-09-20T03:00+12:45 2026-09-27T04:00+13:45"
          + " 2026-10-04T03:00+13:45",
    })
    void shouldShiftOnlyTheGapDayWhenWeeklyRuleCrossesTransition(
        String zone, String time, int day, String from, String expected) {
      CompiledSchedule schedule = Spec.weekly(time, day).zone(zone).start("2026-01-01").schedule();

      assertThat(occurrences(schedule, from, 3)).isEqualTo(expected(expected));
    }

    @ParameterizedTest(name = "{0} monthly on {2} at {1} from {3}")
    @CsvSource({
      "America/New_York, 02:30, 8,  2026-02-01, 2026-02-08T02:30-05:00 2026-03-08T03:30-04:00"
          + " 2026-04-08T02:30-04:00",
      "Europe/London,    01:30, 25, 2026-09-01, 2026-09-25T01:30+01:00 2026-10-25T01:30+01:00"
          + " 2026-11-25T01:30Z",
      "Australia/Sydney, 02:30, 4,  2026-09-01, 2026-09-04T02:30+10:00 2026-10-04T03:30+11:00"
          + " 2026-11-04T02:30+11:00",
    })
    void shouldShiftOnlyTheGapDayWhenMonthlyRuleCrossesTransition(
        String zone, String time, int dayOfMonth, String from, String expected) {
      CompiledSchedule schedule =
          Spec.monthly(time, dayOfMonth).zone(zone).start("2026-01-01").schedule();

      assertThat(occurrences(schedule, from, 3)).isEqualTo(expected(expected));
    }
  }

  @Nested
  class Cron {

    @ParameterizedTest(name = "{0} cron {1} from {2}")
    @CsvSource({
      // daily cron inside the gap: same policy as a daily rule
      "America/New_York, 30 2 * * *, 2026-03-07, 2026-03-07T02:30-05:00 2026-03-08T03:30-04:00"
          + " 2026-03-09T02:30-04:00",
      // hourly across spring-forward: 02:00 moves to 03:00 and the real 03:00 does not fire twice
      "America/New_York, 0 * * * *, 2026-03-08, 2026-03-08T00:00-05:00 2026-03-08T01:00-05:00"
          + " 2026-03-08T03:00-04:00 2026-03-08T04:00-04:00",
      // hourly across fall-back: 01:00 fires once, at the earlier instant
      "America/New_York, 0 * * * *, 2026-11-01, 2026-11-01T00:00-04:00 2026-11-01T01:00-04:00"
          + " 2026-11-01T02:00-05:00 2026-11-01T03:00-05:00",
      "America/New_York, */30 1 * * *, 2026-11-01, 2026-11-01T01:00-04:00 2026-11-01T01:30-04:00"
          + " 2026-11-02T01:00-05:00",
      "Europe/Berlin, 15 2 * * SUN, 2026-03-22, 2026-03-22T02:15+01:00 2026-03-29T03:15+02:00"
          + " 2026-04-05T02:15+02:00",
      "Australia/Sydney, 30 2 4 10 *, 2026-01-01, 2026-10-04T03:30+11:00 2027-10-04T02:30+11:00"
          + " 2028-10-04T02:30+11:00",
      "Pacific/Chatham, 0 3 * * *, 2026-09-26, 2026-09-26T03:00+12:45 2026-09-27T04:00+13:45"
          + " 2026-09-28T03:00+13:45",
      "Asia/Kathmandu, 45 23 31 * *, 2026-01-01, 2026-01-31T23:45+05:45 2026-03-31T23:45+05:45"
          + " 2026-05-31T23:45+05:45",
    })
    void shouldFollowTheDstPolicyWhenCronMatchesInsideGapOrOverlap(
        String zone, String cron, String from, String expected) {
      CompiledSchedule schedule = Spec.cron(cron).zone(zone).start("2026-01-01").schedule();
      List<OffsetDateTime> want = expected(expected);

      assertThat(occurrences(schedule, from, want.size())).isEqualTo(want);
    }
  }

  @Nested
  class ElapsedTime {

    @ParameterizedTest(name = "{0} every {1} {2} from {3}")
    @CsvSource({
      // fixed elapsed time from start 00:00: the local clock moves, the spacing does not
      "America/New_York, 90, minutes, 2026-03-08, 2026-03-08T00:00-05:00 2026-03-08T01:30-05:00"
          + " 2026-03-08T04:00-04:00 2026-03-08T05:30-04:00",
      "America/New_York, 1, hours, 2026-11-01, 2026-11-01T00:00-04:00 2026-11-01T01:00-04:00"
          + " 2026-11-01T01:00-05:00 2026-11-01T02:00-05:00",
      "Australia/Sydney, 2, hours, 2026-04-05, 2026-04-05T00:00+11:00 2026-04-05T02:00+11:00"
          + " 2026-04-05T03:00+10:00 2026-04-05T05:00+10:00",
      "Asia/Kathmandu, 45, minutes, 2026-03-08, 2026-03-08T00:00+05:45 2026-03-08T00:45+05:45"
          + " 2026-03-08T01:30+05:45",
    })
    void shouldKeepElapsedSpacingWhenClocksChange(
        String zone, int value, String unit, String startDate, String expected) {
      CompiledSchedule schedule = Spec.every(value, unit).zone(zone).start(startDate).schedule();
      List<OffsetDateTime> want = expected(expected);

      assertThat(occurrences(schedule, startDate, want.size())).isEqualTo(want);
    }
  }
}
