package io.herald.scheduler.rule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * On {@code dayOfMonth} at {@code timeOfDay}, every {@code interval} months counted from {@code
 * start}'s month. A day past the end of a shorter month (31 in April, 30 in February) means that
 * month's last day; {@link #LAST_DAY} means the last day of every month.
 */
public record Monthly(
    int interval, int dayOfMonth, LocalTime timeOfDay, LocalDate start, ZoneId zone)
    implements Rule {

  public static final int LAST_DAY = -1;

  public Monthly {
    if (interval < 1) {
      throw new IllegalArgumentException("interval must be >= 1: " + interval);
    }
    if (dayOfMonth != LAST_DAY && (dayOfMonth < 1 || dayOfMonth > 31)) {
      throw new IllegalArgumentException("dayOfMonth must be 1..31 or -1: " + dayOfMonth);
    }
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
    YearMonth startMonth = YearMonth.from(start);
    long months = ChronoUnit.MONTHS.between(startMonth, YearMonth.from(from));
    YearMonth month = startMonth.plusMonths(CalendarSteps.ceilToMultiple(months, interval));
    LocalDate candidate = dayIn(month);
    if (candidate.isBefore(from)) {
      candidate = dayIn(month.plusMonths(interval));
    }
    return candidate;
  }

  private LocalDate dayIn(YearMonth month) {
    int length = month.lengthOfMonth();
    return month.atDay(dayOfMonth == LAST_DAY ? length : Math.min(dayOfMonth, length));
  }

  @Override
  public String describe() {
    String day = dayOfMonth == LAST_DAY ? "the last day" : "day " + dayOfMonth;
    return (interval == 1 ? "every month" : "every " + interval + " months from " + start)
        + " on "
        + day
        + " at "
        + timeOfDay;
  }
}
