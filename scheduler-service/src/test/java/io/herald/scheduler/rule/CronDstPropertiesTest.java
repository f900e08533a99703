package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Cron rules near real DST transitions against a brute-force walk over every local minute: each
 * matching wall time placed with {@code ZonedDateTime.of}, kept when later than the previous one.
 * Field matching itself is checked against cron-utils in {@link CronCrossCheckTest}.
 */
class CronDstPropertiesTest {

  @Provide
  Arbitrary<String> expressions() {
    return Arbitraries.of(
        "* * * * *",
        "*/7 * * * *",
        "0 * * * *",
        "30 * * * *",
        "*/15 0-4 * * *",
        "30 2 * * *",
        "0 2 * * *",
        "59 1 * * *",
        "0,30 1-3 * * *",
        "45 2 * * SUN",
        "0 0 * * *",
        "15 3 * * *",
        "0 23 * * *",
        "30 0 1-10 * 0");
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of(RulePropertiesTest.ZONES);
  }

  @Property(tries = 300)
  void shouldMatchBruteForceWalkWhenCronRunsAcrossATransition(
      @ForAll("expressions") String expression,
      @ForAll("zones") String zoneId,
      @ForAll @IntRange(min = 2015, max = 2030) int year,
      @ForAll boolean secondTransition,
      @ForAll @IntRange(min = -180, max = 180) int minutesAround) {
    ZoneId zone = ZoneId.of(zoneId);
    Instant from = aroundTransition(zone, year, secondTransition).plusSeconds(minutesAround * 60L);
    CompiledSchedule schedule =
        Spec.cron(expression)
            .zone(zoneId)
            .start(LocalDate.ofInstant(from, zone).minusDays(3).toString())
            .schedule();

    List<Instant> actual = schedule.upcoming(from, 0, 40);

    assertThat(actual).isEqualTo(bruteForce(CronExpression.parse(expression), zone, from, 40));
  }

  private static Instant aroundTransition(ZoneId zone, int year, boolean second) {
    Instant yearStart = LocalDate.of(year, 1, 1).atStartOfDay(zone).toInstant();
    ZoneOffsetTransition first = zone.getRules().nextTransition(yearStart);
    if (first == null) {
      return LocalDate.of(year, 3, 29).atTime(2, 0).atZone(zone).toInstant();
    }
    ZoneOffsetTransition chosen =
        second ? zone.getRules().nextTransition(first.getInstant()) : first;
    return (chosen == null ? first : chosen).getInstant();
  }

  private static List<Instant> bruteForce(CronExpression cron, ZoneId zone, Instant from, int n) {
    List<Instant> result = new ArrayList<>();
    // Start a day early in wall time: gap shifts can only move times forward.
    LocalDateTime wall = LocalDateTime.ofInstant(from, zone).minusDays(1).withSecond(0).withNano(0);
    Instant last = null;
    for (int i = 0; i < 60 * 24 * 400 && result.size() < n; i++, wall = wall.plusMinutes(1)) {
      if (!cron.matches(wall)) {
        continue;
      }
      Instant at = ZonedDateTime.of(wall, zone).toInstant();
      if (at.isBefore(from) || (last != null && !at.isAfter(last))) {
        continue;
      }
      result.add(at);
      last = at;
    }
    return result;
  }
}
