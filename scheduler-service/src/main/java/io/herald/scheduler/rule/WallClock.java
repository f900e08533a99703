package io.herald.scheduler.rule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * The one place that turns a local wall time into an instant, so that every rule shares one DST
 * policy (documented in {@code docs/TIME.md}):
 *
 * <ul>
 *   <li>a wall time inside a spring-forward gap moves forward by the length of the gap (02:30
 *       becomes 03:30 when clocks jump from 02:00 to 03:00);
 *   <li>a wall time that occurs twice (fall-back overlap) resolves to the earlier instant, so it
 *       fires once.
 * </ul>
 *
 * <p>Both follow from using the offset in force <em>before</em> the transition, which is what
 * {@link ZoneRules#getOffset(LocalDateTime)} returns and what {@code ZonedDateTime.of} does; going
 * through the rules directly avoids allocating a {@code ZonedDateTime} per candidate.
 */
final class WallClock {

  private WallClock() {}

  static Instant resolve(LocalDateTime wallTime, ZoneRules rules) {
    ZoneOffset offset = rules.getOffset(wallTime);
    return Instant.ofEpochSecond(wallTime.toEpochSecond(offset), wallTime.getNano());
  }

  static Instant resolve(LocalDate date, LocalTime time, ZoneRules rules) {
    return resolve(LocalDateTime.of(date, time), rules);
  }
}
