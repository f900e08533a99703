package io.herald.scheduler.rule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code custom} frequency. Calendar units (days, weeks, months) compile to {@link Daily},
 * {@link Weekly} and {@link Monthly}, because they follow the local calendar exactly like those;
 * what is left is fixed elapsed time ({@link Every}) and cron ({@link Cron}).
 */
public sealed interface Custom extends Rule permits Custom.Every, Custom.Cron {

  /**
   * Every {@code interval} minutes or hours of elapsed time, counted from {@code start} 00:00
   * local. DST does not shift the sequence: across a transition the local times move instead.
   */
  record Every(int interval, ChronoUnit unit, LocalDate start, ZoneId zone) implements Custom {

    public Every {
      if (interval < 1) {
        throw new IllegalArgumentException("interval must be >= 1: " + interval);
      }
      if (unit != ChronoUnit.MINUTES && unit != ChronoUnit.HOURS) {
        throw new IllegalArgumentException("unit must be MINUTES or HOURS: " + unit);
      }
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(zone, "zone");
    }

    /**
     * The first occurrence: {@code start} 00:00 in the zone (after a gap, when 00:00 is in one).
     */
    public Instant anchor() {
      return WallClock.resolve(start.atStartOfDay(), zone.getRules());
    }

    public long stepSeconds() {
      return unit.getDuration().getSeconds() * interval;
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
      Instant anchor = anchor();
      if (after.isBefore(anchor)) {
        return Optional.of(anchor);
      }
      long step = stepSeconds();
      // Whole-second arithmetic: the anchor is on a whole second and `after`'s nanos can only
      // push it later, which floorDiv + 1 already accounts for.
      long k = Math.floorDiv(after.getEpochSecond() - anchor.getEpochSecond(), step) + 1;
      try {
        return Optional.of(anchor.plusSeconds(Math.multiplyExact(k, step)));
      } catch (DateTimeException | ArithmeticException beyondSupportedYears) {
        return Optional.empty();
      }
    }

    @Override
    public String describe() {
      String unitName = unit.name().toLowerCase(Locale.ROOT);
      return "every "
          + interval
          + " "
          + (interval == 1 ? unitName.substring(0, unitName.length() - 1) : unitName)
          + " from "
          + start
          + " 00:00";
    }
  }

  /**
   * A 5-field cron expression evaluated on the local wall clock of {@code zone}, from {@code start}
   * 00:00 on. Wall times that DST skips or repeats follow {@link WallClock}.
   */
  record Cron(CronExpression expression, LocalDate start, ZoneId zone) implements Custom {

    public Cron {
      Objects.requireNonNull(expression, "expression");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(zone, "zone");
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
      try {
        ZoneRules rules = zone.getRules();
        LocalDateTime from = earliestCandidate(after, rules);
        LocalDateTime startOfRule = start.atStartOfDay();
        if (from.isBefore(startOfRule)) {
          from = startOfRule;
        }
        // Each pass either returns or moves past a wall time that resolved to <= after; the
        // passes needed are bounded by the minutes in one DST gap plus one.
        for (int pass = 0; pass < 24 * 60 + 2; pass++) {
          LocalDateTime match = expression.nextMatchAtOrAfter(from);
          if (match == null) {
            return Optional.empty();
          }
          Instant at = WallClock.resolve(match, rules);
          if (at.isAfter(after)) {
            return Optional.of(at);
          }
          from = match.plusMinutes(1);
        }
        return Optional.empty();
      } catch (DateTimeException | ArithmeticException beyondSupportedYears) {
        return Optional.empty();
      }
    }

    /**
     * The smallest wall time that may resolve after {@code after}. Usually {@code after}'s own wall
     * time; but just after a gap, wall times inside the gap resolve forward past it and may still
     * lie ahead of {@code after}.
     */
    private static LocalDateTime earliestCandidate(Instant after, ZoneRules rules) {
      LocalDateTime local = LocalDateTime.ofInstant(after, rules.getOffset(after));
      if (rules.isFixedOffset()) {
        return local;
      }
      ZoneOffsetTransition previous = rules.previousTransition(after.plusNanos(1));
      if (previous != null && previous.isGap()) {
        Duration gap = previous.getDuration();
        if (after.isBefore(previous.getInstant().plus(gap))) {
          LocalDateTime shifted = local.minus(gap);
          return shifted.isBefore(previous.getDateTimeBefore())
              ? previous.getDateTimeBefore()
              : shifted;
        }
      }
      return local;
    }

    @Override
    public String describe() {
      return "cron '" + expression.source() + "' from " + start;
    }
  }
}
