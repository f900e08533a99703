package io.herald.scheduler.rule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The shared walk for rules that fire at one wall time on selected dates (daily, weekly, monthly
 * and the calendar units of custom). A rule supplies "first selected date on or after d".
 */
final class CalendarSteps {

  /**
   * Enough candidates to step over any DST collision (a gap shift can make two dates resolve to the
   * same instant) without ever looping forever on a corrupt rule.
   */
  private static final int MAX_CANDIDATES = 8;

  private CalendarSteps() {}

  static Optional<Instant> nextAfter(
      Instant after, ZoneId zone, LocalTime time, UnaryOperator<LocalDate> firstOnOrAfter) {
    try {
      ZoneRules rules = zone.getRules();
      // Start one day early: a wall time pushed forward by a gap can land after `after` even
      // though its date is before `after`'s local date.
      LocalDate date = firstOnOrAfter.apply(LocalDate.ofInstant(after, zone).minusDays(1));
      for (int i = 0; i < MAX_CANDIDATES && date != null; i++) {
        Instant at = WallClock.resolve(date, time, rules);
        if (at.isAfter(after)) {
          return Optional.of(at);
        }
        date = firstOnOrAfter.apply(date.plusDays(1));
      }
      return Optional.empty();
    } catch (DateTimeException | ArithmeticException beyondSupportedYears) {
      // Only reachable past year 999,999,999 of java.time: there is no further occurrence.
      return Optional.empty();
    }
  }

  /** Smallest k * step >= value, for value >= 0 and step >= 1. */
  static long ceilToMultiple(long value, long step) {
    return Math.floorDiv(value + step - 1, step) * step;
  }
}
