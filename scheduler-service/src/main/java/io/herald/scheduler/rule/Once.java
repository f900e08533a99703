package io.herald.scheduler.rule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/** A one-time rule (broadcasts): a single occurrence at {@code at}. */
public record Once(Instant at, ZoneId zone) implements Rule {

  public Once {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(zone, "zone");
  }

  @Override
  public Optional<Instant> nextAfter(Instant after) {
    return at.isAfter(after) ? Optional.of(at) : Optional.empty();
  }

  @Override
  public String describe() {
    return "once at " + at;
  }
}
