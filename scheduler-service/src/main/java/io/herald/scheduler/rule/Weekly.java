package io.herald.scheduler.rule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * On each of {@code days} at {@code timeOfDay}. With {@code interval} N > 1 only every N-th week
 * fires, counted from the week (Sunday to Saturday, as in {@code days_of_week} 0 = Sunday) that
 * contains {@code start}; days of that first week before {@code start} do not fire.
 */
public record Weekly(
    int interval, Set<DayOfWeek> days, LocalTime timeOfDay, LocalDate start, ZoneId zone)
    implements Rule {

  /** Display order, matching days_of_week (0 = Sunday). */
  private static final List<DayOfWeek> SUNDAY_FIRST =
      List.of(
          DayOfWeek.SUNDAY,
          DayOfWeek.MONDAY,
          DayOfWeek.TUESDAY,
          DayOfWeek.WEDNESDAY,
          DayOfWeek.THURSDAY,
          DayOfWeek.FRIDAY,
          DayOfWeek.SATURDAY);

  public Weekly {
    if (interval < 1) {
      throw new IllegalArgumentException("interval must be >= 1: " + interval);
    }
    if (days == null || days.isEmpty()) {
      throw new IllegalArgumentException("days must not be empty");
    }
    // EnumSet keeps contains() a bit test on the hot path.
    days = Collections.unmodifiableSet(EnumSet.copyOf(days));
    Objects.requireNonNull(timeOfDay, "timeOfDay");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(zone, "zone");
  }

  @Override
  public Optional<Instant> nextAfter(Instant after) {
    return CalendarSteps.nextAfter(after, zone, timeOfDay, this::firstOnOrAfter);
  }

  LocalDate firstOnOrAfter(LocalDate date) {
    LocalDate from = date.isBefore(start) ? start : date;
    LocalDate anchorSunday = start.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
    long week = Math.floorDiv(ChronoUnit.DAYS.between(anchorSunday, from), 7);
    long eligibleWeek = CalendarSteps.ceilToMultiple(week, interval);
    if (eligibleWeek != week) {
      from = anchorSunday.plusWeeks(eligibleWeek);
      week = eligibleWeek;
    }
    // At most two eligible weeks to look at: the rest of this one, then all of the next.
    for (int pass = 0; pass < 2; pass++) {
      LocalDate weekEnd = anchorSunday.plusWeeks(week).plusDays(6);
      for (LocalDate d = from; !d.isAfter(weekEnd); d = d.plusDays(1)) {
        if (days.contains(d.getDayOfWeek())) {
          return d;
        }
      }
      week += interval;
      from = anchorSunday.plusWeeks(week);
    }
    throw new IllegalStateException("unreachable: days is not empty");
  }

  @Override
  public String describe() {
    String names =
        SUNDAY_FIRST.stream()
            .filter(days::contains)
            .map(d -> d.getDisplayName(TextStyle.SHORT, Locale.ROOT).toUpperCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    return (interval == 1 ? "every week" : "every " + interval + " weeks from " + start)
        + " on "
        + names
        + " at "
        + timeOfDay;
  }
}
