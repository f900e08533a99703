package io.herald.scheduler.rule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * A compiled timing rule. Occurrences are a pure function of the rule, so an occurrence computed
 * twice (after a restart, on another instance) is the same instant and keeps its identity.
 *
 * <p>A rule knows its start date but not its end date or execution cap: those bounds are the same
 * for every kind and are applied once, in {@link CompiledSchedule}.
 */
public sealed interface Rule permits Once, Daily, Weekly, Monthly, Custom {

  /**
   * First occurrence strictly after {@code after}, never before the rule's start date, evaluated in
   * the rule's own zone; empty when the rule has no further occurrence.
   */
  Optional<Instant> nextAfter(Instant after);

  /** The zone whose wall clock the rule follows. */
  ZoneId zone();

  /** A short human description, e.g. {@code "every 2 weeks on MON, WED at 09:00"}. */
  String describe();
}
