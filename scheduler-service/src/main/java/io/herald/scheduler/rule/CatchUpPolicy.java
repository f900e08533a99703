package io.herald.scheduler.rule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What to do with occurrences that were due while Herald was down (the {@code catch_up} column). An
 * occurrence at most {@link CompiledSchedule#ON_TIME_TOLERANCE} old is on time and always fires; an
 * older one is missed, and whether it fires depends on the policy and the schedule's grace window,
 * because a "good morning" at 3 pm is worse than none.
 */
public enum CatchUpPolicy {
  /** Drop every missed occurrence and continue with the next future one. */
  SKIP {
    @Override
    List<Instant> select(List<Instant> considered, Instant now, Duration grace) {
      List<Instant> fire = new ArrayList<>();
      for (Instant o : considered) {
        if (onTime(o, now)) {
          fire.add(o);
        }
      }
      return fire;
    }
  },
  /** Fire the latest missed occurrence once, if it is within the grace window; drop the rest. */
  FIRE_ONCE {
    @Override
    List<Instant> select(List<Instant> considered, Instant now, Duration grace) {
      List<Instant> fire = new ArrayList<>();
      Instant latestMissed = null;
      for (Instant o : considered) {
        if (onTime(o, now)) {
          fire.add(o);
        } else if (withinGrace(o, now, grace)) {
          latestMissed = o;
        }
      }
      if (latestMissed != null) {
        fire.add(0, latestMissed);
      }
      return fire;
    }
  },
  /** Fire each missed occurrence within the grace window, in order; drop older ones. */
  FIRE_ALL {
    @Override
    List<Instant> select(List<Instant> considered, Instant now, Duration grace) {
      List<Instant> fire = new ArrayList<>();
      for (Instant o : considered) {
        if (onTime(o, now) || withinGrace(o, now, grace)) {
          fire.add(o);
        }
      }
      return fire;
    }
  };

  /** The default when the column is null. */
  public static final CatchUpPolicy DEFAULT = FIRE_ONCE;

  /** Of {@code considered} (ascending, all {@code <= now}), the occurrences to fire, ascending. */
  abstract List<Instant> select(List<Instant> considered, Instant now, Duration grace);

  /** The column value: {@code skip}, {@code fire_once} or {@code fire_all}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a column value, case-insensitively; empty when unknown. */
  public static Optional<CatchUpPolicy> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String normalized = value.trim().toLowerCase(Locale.ROOT);
    for (CatchUpPolicy policy : values()) {
      if (policy.wire().equals(normalized)) {
        return Optional.of(policy);
      }
    }
    return Optional.empty();
  }

  static boolean onTime(Instant occurrence, Instant now) {
    return !occurrence.plus(CompiledSchedule.ON_TIME_TOLERANCE).isBefore(now);
  }

  private static boolean withinGrace(Instant occurrence, Instant now, Duration grace) {
    return !occurrence.plus(grace).isBefore(now);
  }
}
