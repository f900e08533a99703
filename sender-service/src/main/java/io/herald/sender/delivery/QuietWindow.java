package io.herald.sender.delivery;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A daily quiet window in the recipient's own time (issue 19), {@code 21:00-08:00} spanning
 * midnight or {@code 12:00-14:00} within a day. A send inside waits for the window's end, never
 * dropped. Pure; DST-aware through {@link ZonedDateTime} (an end in a gap moves forward).
 */
public record QuietWindow(LocalTime start, LocalTime end) {

  /** When a send at {@code now} in {@code zone} may go: null when outside the window. */
  public Instant deferUntil(ZoneId zone, Instant now) {
    if (start.equals(end)) {
      return null; // no quiet hours
    }
    ZonedDateTime local = now.atZone(zone);
    LocalTime t = local.toLocalTime();
    LocalDate day = local.toLocalDate();
    boolean spansMidnight = start.isAfter(end);
    boolean inside =
        spansMidnight
            ? !t.isBefore(start) || t.isBefore(end)
            : !t.isBefore(start) && t.isBefore(end);
    if (!inside) {
      return null;
    }
    // the window's end: today when it is still ahead, else tomorrow (a window past midnight)
    LocalDate endDay = t.isBefore(end) ? day : day.plusDays(1);
    return ZonedDateTime.of(endDay, end, zone).toInstant();
  }

  /** {@code "21:00-08:00"}. */
  public String describe() {
    return start + "-" + end;
  }
}
