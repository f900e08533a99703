package io.herald.scheduler.timer;

import java.time.Instant;
import java.util.Objects;

/**
 * One armed timer: the schedule {@code scheduleKey} is due at {@code dueInstant}. Ordered by due
 * instant, then by schedule key (UTF-8 byte order), exactly like its {@link TimerKeyCodec}
 * encoding.
 *
 * @param dueInstant when the timer fires (UTC, nanosecond precision kept)
 * @param scheduleKey non-empty schedule key, {@code <kind>:<id>}
 */
public record TimerKey(Instant dueInstant, String scheduleKey) {

  public TimerKey {
    Objects.requireNonNull(dueInstant, "dueInstant");
    Objects.requireNonNull(scheduleKey, "scheduleKey");
    if (scheduleKey.isEmpty()) {
      // An empty key would collide with the range-scan upper bound (a bare instant prefix).
      throw new IllegalArgumentException("scheduleKey must not be empty");
    }
  }
}
