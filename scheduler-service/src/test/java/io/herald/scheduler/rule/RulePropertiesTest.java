package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.RuleSpec;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties over random rules in the zones the issue names: occurrences strictly increase, stay in
 * bounds, never repeat, match an independent day-by-day enumeration, and sit at time_of_day except
 * where DST removed that wall time.
 */
class RulePropertiesTest {

  static final List<String> ZONES =
      List.of(
          "America/New_York",
          "Europe/London",
          "Europe/Berlin",
          "Australia/Sydney",
          "Asia/Jakarta",
          "Asia/Kolkata",
          "Asia/Kathmandu",
          "Pacific/Chatham",
          "America/Sao_Paulo",
          "UTC",
          // half-hour DST and a midnight switch, for good measure
          "Australia/Lord_Howe",
          "America/Havana");

  /** A random calendar rule (daily, weekly, monthly) as the columns a user would fill in. */
  record CalendarCase(RuleSpec spec, Instant from) {}

  @Provide
  Arbitrary<CalendarCase> calendarRules() {
    Arbitrary<String> zone = Arbitraries.of(ZONES);
    Arbitrary<LocalDate> start =
        Arbitraries.integers().between(0, 20 * 365).map(d -> LocalDate.of(2015, 1, 1).plusDays(d));
    Arbitrary<LocalTime> time =
        Arbitraries.oneOf(
            // bias towards the hours where transitions happen
            Arbitraries.integers().between(0, 4 * 60 - 1).map(m -> LocalTime.of(m / 60, m % 60)),
            Arbitraries.integers().between(0, 24 * 60 - 1).map(m -> LocalTime.of(m / 60, m % 60)),
            Arbitraries.of(
                LocalTime.of(2, 30),
                LocalTime.of(1, 30),
                LocalTime.of(0, 0),
                LocalTime.of(23, 59, 59)));
    Arbitrary<String> frequency = Arbitraries.of("daily", "weekly", "monthly");
    Arbitrary<Integer> interval =
        Arbitraries.oneOf(Arbitraries.just(1), Arbitraries.integers().between(1, 14));
    Arbitrary<List<Integer>> days =
        Arbitraries.integers().between(0, 6).set().ofMinSize(1).ofMaxSize(7).map(ArrayList::new);
    Arbitrary<Integer> dayOfMonth =
        Arbitraries.oneOf(
            Arbitraries.integers().between(1, 31), Arbitraries.of(-1, 28, 29, 30, 31));
    Arbitrary<Integer> endAfterDays = Arbitraries.integers().between(-1, 3 * 365);
    Arbitrary<Integer> fromOffsetDays = Arbitraries.integers().between(-60, 2 * 365);
    return Combinators.combine(
            Combinators.combine(zone, start, time, frequency).as(List::of),
            Combinators.combine(interval, days, dayOfMonth, endAfterDays, fromOffsetDays)
                .as(List::of))
        .as(
            (a, b) -> {
              String z = (String) a.get(0);
              LocalDate s = (LocalDate) a.get(1);
              LocalTime t = (LocalTime) a.get(2);
              String f = (String) a.get(3);
              int endAfter = (Integer) b.get(3);
              @SuppressWarnings("unchecked")
              List<Integer> d = (List<Integer>) b.get(1);
              RuleSpec spec =
                  new RuleSpec(
                      f,
                      (Integer) b.get(0),
                      null,
                      null,
                      t.toString(),
                      f.equals("weekly") ? d : null,
                      f.equals("monthly") ? (Integer) b.get(2) : null,
                      z,
                      s.toString(),
                      endAfter < 0 ? null : s.plusDays(endAfter).toString(),
                      null,
                      null,
                      null,
                      null);
              Instant from =
                  s.plusDays((Integer) b.get(4))
                      .atStartOfDay(ZoneId.of(z))
                      .toInstant()
                      .plusSeconds(((Integer) b.get(4)) * 3607L % 86_400);
              return new CalendarCase(spec, from);
            });
  }

  @Property(tries = 400)
  void shouldMatchIndependentDayByDayEnumerationWhenRuleIsCalendarBased(
      @ForAll("calendarRules") CalendarCase c) {
    CompiledSchedule schedule = compile(c.spec());

    List<Instant> actual = schedule.upcoming(c.from(), 0, 25);

    assertThat(actual).isEqualTo(oracle(c.spec(), c.from(), 25));
  }

  @Property(tries = 400)
  void shouldIncreaseStayInBoundsAndKeepTimeOfDayWhenRuleIsCalendarBased(
      @ForAll("calendarRules") CalendarCase c) {
    CompiledSchedule schedule = compile(c.spec());
    ZoneId zone = schedule.zone();
    LocalTime time = LocalTime.parse(c.spec().timeOfDay());
    LocalDate start = LocalDate.parse(c.spec().startDate());
    LocalDate end = c.spec().endDate() == null ? null : LocalDate.parse(c.spec().endDate());

    List<Instant> occurrences = schedule.upcoming(c.from(), 0, 40);

    Set<Instant> seen = new TreeSet<>();
    Instant previous = null;
    for (Instant o : occurrences) {
      assertThat(seen.add(o)).as("never repeats").isTrue();
      if (previous != null) {
        assertThat(o).as("strictly increasing").isAfter(previous);
        assertThat(schedule.nextAfter(previous, 0)).as("chain").contains(o);
      }
      assertThat(o).isAfterOrEqualTo(c.from());
      LocalDateTime local = LocalDateTime.ofInstant(o, zone);
      assertThat(local.toLocalDate()).as("not before start").isAfterOrEqualTo(start);
      if (end != null) {
        assertThat(o)
            .as("not after end date")
            .isBefore(end.plusDays(1).atStartOfDay(zone).toInstant());
      }
      if (!local.toLocalTime().equals(time)) {
        assertThat(
                gapShiftedFrom(local.toLocalDate(), time, zone, o)
                    || gapShiftedFrom(local.toLocalDate().minusDays(1), time, zone, o))
            .as("%s is off time_of_day %s only inside a DST gap", local, time)
            .isTrue();
      }
      previous = o;
    }
  }

  @Property(tries = 300)
  void shouldEqualFirstOracleOccurrenceWhenAskedFromAnyInstant(
      @ForAll("calendarRules") CalendarCase c,
      @ForAll @IntRange(min = 0, max = 86_399) int seconds) {
    CompiledSchedule schedule = compile(c.spec());
    Instant after = c.from().plusSeconds(seconds).plusNanos(seconds % 3 == 0 ? 0 : 1);

    Optional<Instant> next = schedule.nextAfter(after, 0);

    List<Instant> expected = oracle(c.spec(), after.plusNanos(1), 1);
    assertThat(next).isEqualTo(expected.stream().findFirst());
  }

  @Property(tries = 300)
  void shouldKeepFixedSpacingWhenRuleIsElapsedTime(
      @ForAll("zones") String zone,
      @ForAll @IntRange(min = 1, max = 600) int interval,
      @ForAll boolean hours,
      @ForAll @IntRange(min = 0, max = 7000) int startDay,
      @ForAll @IntRange(min = 0, max = 2_000_000) int fromMinutes) {
    LocalDate start = LocalDate.of(2010, 1, 1).plusDays(startDay);
    CompiledSchedule schedule =
        Spec.every(interval, hours ? "hours" : "minutes")
            .zone(zone)
            .start(start.toString())
            .schedule();
    Instant anchor = ZonedDateTime.of(start, LocalTime.MIDNIGHT, ZoneId.of(zone)).toInstant();
    long step = (hours ? 3600L : 60L) * interval;

    List<Instant> occurrences =
        schedule.upcoming(anchor.minusSeconds(3600).plusSeconds(fromMinutes * 60L), 0, 20);

    assertThat(occurrences).hasSize(20);
    for (Instant o : occurrences) {
      long elapsed = o.getEpochSecond() - anchor.getEpochSecond();
      assertThat(elapsed).isNotNegative();
      assertThat(elapsed % step).isZero();
    }
    for (int i = 1; i < occurrences.size(); i++) {
      assertThat(occurrences.get(i).getEpochSecond() - occurrences.get(i - 1).getEpochSecond())
          .isEqualTo(step);
    }
  }

  @Property(tries = 1000)
  void shouldResolveLikeZonedDateTimeOfWhenWallTimeIsInGapOverlapOrNormal(
      @ForAll("zones") String zone,
      @ForAll @IntRange(min = 0, max = 40 * 365) int day,
      @ForAll @IntRange(min = 0, max = 24 * 60 - 1) int minute) {
    ZoneId zoneId = ZoneId.of(zone);
    LocalDateTime wall = LocalDate.of(1990, 1, 1).plusDays(day).atTime(minute / 60, minute % 60);

    assertThat(WallClock.resolve(wall, zoneId.getRules()))
        .isEqualTo(ZonedDateTime.of(wall, zoneId).toInstant());
  }

  @Property(tries = 500)
  void shouldNeverThrowWhenColumnsAreArbitraryText(
      @ForAll("anyText") String frequency,
      @ForAll("anyText") String unit,
      @ForAll("anyText") String cron,
      @ForAll("anyText") String time,
      @ForAll("anyText") String zone,
      @ForAll("anyText") String date,
      @ForAll Integer interval,
      @ForAll Integer dayOfMonth,
      @ForAll Integer max,
      @ForAll Integer grace) {
    RuleSpec spec =
        new RuleSpec(
            frequency,
            interval,
            unit,
            cron,
            time,
            List.of(3, 9),
            dayOfMonth,
            zone,
            date,
            date,
            max,
            frequency,
            grace,
            date);

    Compilation compilation = RuleCompiler.compile(spec, Spec.CREATED);

    if (compilation instanceof Compilation.Valid valid) {
      valid.schedule().upcoming(Spec.CREATED, 0, 3);
    } else {
      assertThat(((Compilation.Invalid) compilation).problems()).isNotEmpty();
    }
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of(ZONES);
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(12),
        Arbitraries.of(
            "daily",
            "weekly",
            "monthly",
            "custom",
            "once",
            "minutes",
            "hours",
            "months",
            "days",
            "* * * * *",
            "0 0 31 2 *",
            "*/0 * * * *",
            "1-100 * * * *",
            "a b c d e",
            "@daily",
            "09:00",
            "24:00",
            "2026-02-29",
            "2026-13-01",
            "Europe/Berlin",
            "Asia/Jakart",
            "fire_all",
            "99999-01-01",
            "2026-03-08T07:30:00Z"),
        Arbitraries.just(null));
  }

  private static CompiledSchedule compile(RuleSpec spec) {
    Compilation compilation = RuleCompiler.compile(spec, Spec.CREATED);
    assertThat(compilation).isInstanceOf(Compilation.Valid.class);
    return ((Compilation.Valid) compilation).schedule();
  }

  private static boolean gapShiftedFrom(LocalDate date, LocalTime time, ZoneId zone, Instant o) {
    LocalDateTime wall = LocalDateTime.of(date, time);
    return zone.getRules().getValidOffsets(wall).isEmpty()
        && ZonedDateTime.of(wall, zone).toInstant().equals(o);
  }

  /**
   * An independent, deliberately naive enumeration: walk every date from the start date, keep the
   * selected ones by the wording, place them with {@code ZonedDateTime.of}, keep the first
   * {@code n} at or after {@code from} and strictly increasing.
   */
  static List<Instant> oracle(RuleSpec spec, Instant from, int n) {
    ZoneId zone = ZoneId.of(spec.timezone());
    LocalDate start = LocalDate.parse(spec.startDate());
    LocalDate end =
        spec.endDate() == null ? LocalDate.of(2100, 1, 1) : LocalDate.parse(spec.endDate());
    LocalTime time = LocalTime.parse(spec.timeOfDay());
    int interval = spec.intervalValue() == null ? 1 : spec.intervalValue();
    LocalDate sunday = start.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
    List<Instant> result = new ArrayList<>();
    Instant last = null;
    LocalDate date = start;
    LocalDate fromDate = LocalDate.ofInstant(from, zone).minusDays(2);
    if (fromDate.isAfter(date)) {
      date = fromDate;
    }
    for (; !date.isAfter(end) && result.size() < n; date = date.plusDays(1)) {
      boolean selected;
      switch (spec.frequency()) {
        case "daily" -> selected = ChronoUnit.DAYS.between(start, date) % interval == 0;
        case "weekly" -> {
          long week = ChronoUnit.DAYS.between(sunday, date) / 7;
          selected =
              week % interval == 0
                  && spec.daysOfWeek().contains(date.getDayOfWeek().getValue() % 7);
        }
        default -> {
          long months = ChronoUnit.MONTHS.between(YearMonth.from(start), YearMonth.from(date));
          int length = date.lengthOfMonth();
          int wanted = spec.dayOfMonth() == -1 ? length : Math.min(spec.dayOfMonth(), length);
          selected = months % interval == 0 && date.getDayOfMonth() == wanted;
        }
      }
      if (!selected) {
        continue;
      }
      Instant at = ZonedDateTime.of(date, time, zone).toInstant();
      if (at.isBefore(from) || (last != null && !at.isAfter(last))) {
        continue;
      }
      if (!at.isBefore(end.plusDays(1).atStartOfDay(zone).toInstant())) {
        continue;
      }
      result.add(at);
      last = at;
    }
    return result;
  }
}
