package io.herald.scheduler.rule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Every {@code interval} days at {@code timeOfDay}; the day sequence is anchored at {@code start}
 * (start, start + interval, …), so changing nothing but the clock never shifts it.
 */
public record Daily(int interval, LocalTime timeOfDay, LocalDate start, ZoneId zone)
    implements Rule {

  public Daily {
    if (interval < 1) {
      throw new IllegalArgumentException("interval must be >= 1: " + interval);
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
    if (!date.isAfter(start)) {
      return start;
    }
    long days = ChronoUnit.DAYS.between(start, date);
    return start.plusDays(CalendarSteps.ceilToMultiple(days, interval));
  }

  @Override
  public String describe() {
    return (interval == 1 ? "every day" : "every " + interval + " days from " + start)
        + " at "
        + timeOfDay;
  }
}
