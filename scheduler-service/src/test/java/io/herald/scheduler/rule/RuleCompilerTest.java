package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.outcome.ErrorReason;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleCompilerTest {

  @Nested
  class ValidRules {

    @Test
    void shouldCompileDailyRuleWhenColumnsAreValid() {
      CompiledSchedule schedule =
          Spec.daily("09:00").interval(2).zone("Europe/Berlin").start("2026-03-01").schedule();

      assertThat(schedule.rule())
          .isEqualTo(
              new Daily(
                  2, LocalTime.of(9, 0), LocalDate.of(2026, 3, 1), ZoneId.of("Europe/Berlin")));
      assertThat(schedule.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
      assertThat(schedule.catchUp()).isEqualTo(CatchUpPolicy.FIRE_ONCE);
      assertThat(schedule.grace()).isEqualTo(Duration.ofHours(1));
      assertThat(schedule.maxExecutions()).isEqualTo(OptionalInt.empty());
    }

    @Test
    void shouldMapDaysOfWeekWhenZeroIsSunday() {
      CompiledSchedule schedule = Spec.weekly("09:00", 0, 1, 6).start("2026-03-01").schedule();

      assertThat(((Weekly) schedule.rule()).days())
          .containsExactlyInAnyOrder(DayOfWeek.SUNDAY, DayOfWeek.MONDAY, DayOfWeek.SATURDAY);
    }

    @Test
    void shouldDefaultStartDateToCreationDateInZoneWhenStartDateIsMissing() {
      // 2026-01-01T00:00Z is still 31 December in New York.
      CompiledSchedule schedule = Spec.daily("09:00").zone("America/New_York").schedule();

      assertThat(schedule.startDate()).isEqualTo(LocalDate.of(2025, 12, 31));
    }

    @Test
    void shouldDefaultZoneToUtcWhenTimezoneIsNull() {
      assertThat(Spec.daily("09:00").schedule().zone()).isEqualTo(ZoneId.of("UTC"));
    }

    @Test
    void shouldAcceptSecondsWhenTimeOfDayHasThem() {
      assertThat(((Daily) Spec.daily("07:05:30").schedule().rule()).timeOfDay())
          .isEqualTo(LocalTime.of(7, 5, 30));
    }

    @Test
    void shouldReadCatchUpAndGraceWhenGiven() {
      CompiledSchedule schedule =
          Spec.daily("09:00").catchUp("FIRE_ALL").grace(600).max(0).schedule();

      assertThat(schedule.catchUp()).isEqualTo(CatchUpPolicy.FIRE_ALL);
      assertThat(schedule.grace()).isEqualTo(Duration.ofMinutes(10));
      assertThat(schedule.maxExecutions()).isEqualTo(OptionalInt.of(0));
    }

    @Test
    void shouldFireAtCreationWhenOnceHasNoScheduledAt() {
      CompiledSchedule schedule =
          RuleCompiler.compile(RuleSpec.once(null), Spec.CREATED) instanceof Compilation.Valid v
              ? v.schedule()
              : null;

      assertThat(schedule).isNotNull();
      assertThat(schedule.rule()).isEqualTo(new Once(Spec.CREATED, ZoneId.of("UTC")));
      assertThat(schedule.firstAtOrAfter(Spec.CREATED.minusSeconds(5))).contains(Spec.CREATED);
      assertThat(schedule.nextAfter(Spec.CREATED, 1)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
      "2026-03-08T09:00:00Z, 2026-03-08T09:00:00Z",
      "2026-03-08T09:00:00.250Z, 2026-03-08T09:00:00.250Z",
      "2026-03-08T04:00:00-05:00, 2026-03-08T09:00:00Z",
      "2026-03-08T10:00+01:00, 2026-03-08T09:00:00Z",
    })
    void shouldParseScheduledAtWhenItIsAnIsoInstantOrOffsetDateTime(String raw, String expected) {
      assertThat(((Once) Spec.once(raw).schedule().rule()).at()).isEqualTo(Instant.parse(expected));
    }

    @Test
    void shouldCompileCalendarUnitsToCalendarRulesWhenCustomUsesDaysWeeksOrMonths() {
      Spec base = Spec.every(3, "days").time("08:00").start("2026-03-04");
      assertThat(base.schedule().rule()).isInstanceOf(Daily.class);

      Rule weeks = Spec.every(2, "weeks").time("08:00").start("2026-03-04").schedule().rule();
      assertThat(weeks)
          .isEqualTo(
              new Weekly(
                  2,
                  EnumSet.of(DayOfWeek.WEDNESDAY),
                  LocalTime.of(8, 0),
                  LocalDate.of(2026, 3, 4),
                  ZoneId.of("UTC")));

      Rule months = Spec.every(1, "months").time("08:00").start("2026-01-31").schedule().rule();
      assertThat(months)
          .isEqualTo(
              new Monthly(1, 31, LocalTime.of(8, 0), LocalDate.of(2026, 1, 31), ZoneId.of("UTC")));
    }

    @Test
    void shouldCompileElapsedRuleWhenCustomUsesMinutesOrHours() {
      assertThat(Spec.every(15, "minutes").start("2026-03-04").schedule().rule())
          .isEqualTo(
              new Custom.Every(15, ChronoUnit.MINUTES, LocalDate.of(2026, 3, 4), ZoneId.of("UTC")));
      assertThat(Spec.every(1, "hour").start("2026-03-04").schedule().rule())
          .isInstanceOf(Custom.Every.class);
    }

    @Test
    void shouldCompileCronRuleWhenCustomHasCronExpression() {
      Rule rule = Spec.cron("0 9 * * MON-FRI").start("2026-03-04").schedule().rule();

      assertThat(rule).isInstanceOf(Custom.Cron.class);
      assertThat(((Custom.Cron) rule).expression().source()).isEqualTo("0 9 * * MON-FRI");
    }
  }

  @Nested
  class InvalidRules {

    @ParameterizedTest(name = "{1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            timezone=Asia/Jakart          | timezone 'Asia/Jakart' is not an IANA zone (did you mean Asia/Jakarta?)
            timezone=Mars/Olympus         | timezone 'Mars/Olympus' is not an IANA zone (use a name such as Europe/Berlin or America/New_York)
            timezone=+05:00               | timezone '+05:00' is not an IANA zone (use a name such as Europe/Berlin or America/New_York)
            days=                         | weekly schedule needs at least one day in days_of_week (0 = Sunday … 6 = Saturday)
            days=7                        | days_of_week value 7 is out of range 0–6 (0 = Sunday … 6 = Saturday)
            days=-1                       | days_of_week value -1 is out of range 0–6 (0 = Sunday … 6 = Saturday)
            interval=0                    | interval_value 0 must be at least 1
            interval=-3                   | interval_value -3 must be at least 1
            interval=600                  | interval_value 600 is too large for weeks (at most 523)
            time=25:00                    | time_of_day '25:00' is not a time of day HH:mm or HH:mm:ss (00:00–23:59)
            time=9am                      | time_of_day '9am' is not a time of day HH:mm or HH:mm:ss (00:00–23:59)
            time=                         | weekly schedule needs time_of_day (HH:mm)
            start=2026-02-30              | start_date '2026-02-30' is not a date yyyy-MM-dd
            end=2026-01-01                | end_date 2026-01-01 is before start_date 2026-02-01
            max=-1                        | max_executions -1 must not be negative
            catchUp=always                | catch_up 'always' is not one of skip, fire_once, fire_all
            grace=-5                      | catch_up_grace_seconds -5 must not be negative
            frequency=hourly              | frequency 'hourly' is not one of once, daily, weekly, monthly, custom
            frequency=                    | frequency is required: one of once, daily, weekly, monthly, custom
            """)
    void shouldExplainTheProblemWhenOneColumnOfAWeeklyRuleIsWrong(String change, String message) {
      Spec spec = Spec.weekly("09:00", 1).start("2026-02-01").zone("Europe/Berlin");
      apply(spec, change);

      assertThat(spec.problems()).containsExactly(message);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            dayOfMonth=32   | day_of_month 32 is out of range 1–31 or -1
            dayOfMonth=0    | day_of_month 0 is out of range 1–31 or -1
            dayOfMonth=-2   | day_of_month -2 is out of range 1–31 or -1
            dayOfMonth=     | monthly schedule needs day_of_month (1–31, or -1 for the last day)
            interval=121    | interval_value 121 is too large for months (at most 120)
            """)
    void shouldExplainTheProblemWhenOneColumnOfAMonthlyRuleIsWrong(String change, String message) {
      Spec spec = Spec.monthly("09:00", 1).start("2026-02-01");
      apply(spec, change);

      assertThat(spec.problems()).containsExactly(message);
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            seconds |             | interval_unit 'seconds' is not one of minutes, hours, days, weeks, months
                    |             | custom schedule needs either interval_unit (with interval_value) or cron_expression
            hours   | 0 * * * *   | custom schedule has both interval_unit 'hours' and cron_expression '0 * * * *'; keep only one
            days    |             | custom schedule with interval_unit 'days' needs time_of_day (HH:mm)
                    | 61 * * * *  | cron_expression '61 * * * *': minute 61 out of range 0–59
                    | 0 9 * *     | cron_expression '0 9 * *': expected 5 fields (minute hour day-of-month month day-of-week), got 4
                    | 0 0 30 2 *  | cron_expression '0 0 30 2 *': never matches a date (day-of-month 30 in month 2)
            """)
    void shouldExplainTheProblemWhenCustomRuleIsWrong(String unit, String cron, String message) {
      Spec spec =
          new Spec().frequency("custom").unit(unit).cronExpression(cron).start("2026-02-01");

      assertThat(spec.problems()).containsExactly(message);
    }

    @Test
    void shouldReportEveryProblemWhenManyColumnsAreWrong() {
      Spec spec =
          new Spec()
              .frequency("weekly")
              .interval(0)
              .time("24:00")
              .days(List.of(9, -4))
              .dayOfMonth(40)
              .zone("Europe/Berln")
              .start("2026-02-01")
              .end("2026-01-01")
              .max(-2)
              .catchUp("later")
              .grace(-1);

      assertThat(spec.problems())
          .containsExactly(
              "timezone 'Europe/Berln' is not an IANA zone (did you mean Europe/Berlin?)",
              "interval_value 0 must be at least 1",
              "time_of_day '24:00' is not a time of day HH:mm or HH:mm:ss (00:00–23:59)",
              "days_of_week value 9 is out of range 0–6 (0 = Sunday … 6 = Saturday)",
              "days_of_week value -4 is out of range 0–6 (0 = Sunday … 6 = Saturday)",
              "day_of_month 40 is out of range 1–31 or -1",
              "end_date 2026-01-01 is before start_date 2026-02-01",
              "max_executions -2 must not be negative",
              "catch_up 'later' is not one of skip, fire_once, fire_all",
              "catch_up_grace_seconds -1 must not be negative");
    }

    @Test
    void shouldTagZoneProblemAsUnknownTimezoneWhenZoneIsWrong() {
      Compilation compilation = Spec.daily("25:00").zone("Asia/Jakart").compile();

      assertThat(compilation).isInstanceOf(Compilation.Invalid.class);
      List<RuleProblem> problems = ((Compilation.Invalid) compilation).problems();
      assertThat(problems)
          .extracting(RuleProblem::reason)
          .containsExactly(ErrorReason.UNKNOWN_TIMEZONE, ErrorReason.INVALID_RULE);
    }

    @Test
    void shouldRejectBadScheduledAtWhenRuleIsOnce() {
      assertThat(Spec.once("tomorrow").problems())
          .containsExactly(
              "scheduled_at 'tomorrow' is not an ISO-8601 instant such as 2026-03-08T09:00:00Z");
    }

    @Test
    void shouldReportMissingRuleWhenSpecIsNull() {
      assertThat(RuleCompiler.compile(null, Spec.CREATED))
          .isEqualTo(
              new Compilation.Invalid(
                  List.of(new RuleProblem(ErrorReason.INVALID_RULE, "the schedule has no rule"))));
    }

    private void apply(Spec spec, String change) {
      String[] kv = change.split("=", -1);
      String value = kv[1].isEmpty() ? null : kv[1];
      switch (kv[0]) {
        case "timezone" -> spec.zone(value);
        case "days" -> spec.days(value == null ? List.of() : List.of(Integer.parseInt(value)));
        case "interval" -> spec.interval(Integer.valueOf(value));
        case "time" -> spec.time(value);
        case "start" -> spec.start(value);
        case "end" -> spec.end(value);
        case "max" -> spec.max(Integer.valueOf(value));
        case "catchUp" -> spec.catchUp(value);
        case "grace" -> spec.grace(Integer.valueOf(value));
        case "frequency" -> spec.frequency(value);
        case "dayOfMonth" -> spec.dayOfMonth(value == null ? null : Integer.valueOf(value));
        default -> throw new IllegalArgumentException(change);
      }
    }
  }

  @Nested
  class Bounds {

    @Test
    void shouldRejectEveryOversizedFieldBeforeParsingAnyOfThem() {
      RuleSpec spec =
          new RuleSpec(
              "daily".repeat(100),
              null,
              "hours".repeat(20),
              "61,".repeat(7_000),
              "09:00".repeat(20),
              List.of(0, 1, 2, 3, 4, 5, 6, 0),
              null,
              "Europe/Berlin".repeat(8_000),
              "2026-01-01".repeat(10),
              null,
              null,
              "skip".repeat(100),
              null,
              "2026-01-01T00:00:00Z".repeat(5));

      Compilation c = RuleCompiler.compile(spec, Instant.EPOCH);

      assertThat(c).isInstanceOf(Compilation.Invalid.class);
      List<RuleProblem> problems = ((Compilation.Invalid) c).problems();
      assertThat(problems).extracting(RuleProblem::reason).containsOnly(ErrorReason.TOO_LARGE);
      assertThat(problems)
          .extracting(RuleProblem::message)
          .containsExactly(
              "frequency has 500 characters, at most 64",
              "interval_unit has 100 characters, at most 64",
              "cron_expression has 21000 characters, at most 256",
              "time_of_day has 100 characters, at most 64",
              "timezone has 104000 characters, at most 64",
              "start_date has 100 characters, at most 64",
              "catch_up has 400 characters, at most 64",
              "scheduled_at has 100 characters, at most 64",
              "days_of_week has 8 entries, at most 7");
    }

    @Test
    void shouldQuoteAtMostAFewDozenCharactersOfAWrongValue() {
      String zone = "Mars/" + "x".repeat(50);
      RuleSpec spec =
          new RuleSpec(
              "daily", 1, null, null, "09:00", null, null, zone, null, null, null, null, null,
              null);

      Compilation c = RuleCompiler.compile(spec, Instant.EPOCH);

      String message = ((Compilation.Invalid) c).problems().get(0).message();
      assertThat(message)
          .startsWith("timezone 'Mars/xxx")
          .contains("…' is not an IANA zone")
          .doesNotContain(zone);
    }
  }
}
