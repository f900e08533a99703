package io.herald.scheduler.rule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A validated rule with its bounds (end date, execution cap) and catch-up policy. Immutable and
 * thread-safe. Every method is a pure function of the schedule and its arguments: the caller passes
 * {@code now}, and occurrences always come from the rule, never from the firing time.
 */
public final class CompiledSchedule {

  /** An occurrence at most this old when its timer fires is on time, not missed. */
  public static final Duration ON_TIME_TOLERANCE = Duration.ofSeconds(60);

  /** Default {@code catch_up_grace_seconds}. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

  /**
   * {@link FireDecision#dropped} counts occurrences older than the grace window one by one up to
   * this many, then stops walking (after months of downtime on a per-minute rule) and saturates.
   */
  public static final int MAX_COUNTED_DROPS = 10_000;

  private final Rule rule;
  private final LocalDate startDate;
  private final LocalDate endDate;
  private final Instant endExclusive;
  private final OptionalInt maxExecutions;
  private final CatchUpPolicy catchUp;
  private final Duration grace;

  CompiledSchedule(
      Rule rule,
      LocalDate startDate,
      LocalDate endDate,
      OptionalInt maxExecutions,
      CatchUpPolicy catchUp,
      Duration grace) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.startDate = startDate;
    this.endDate = endDate;
    // end_date is inclusive in the zone: everything before the next local midnight belongs to it.
    this.endExclusive =
        endDate == null
            ? null
            : WallClock.resolve(endDate.plusDays(1).atStartOfDay(), rule.zone().getRules());
    this.maxExecutions = Objects.requireNonNull(maxExecutions, "maxExecutions");
    this.catchUp = Objects.requireNonNull(catchUp, "catchUp");
    this.grace = Objects.requireNonNull(grace, "grace");
  }

  public Rule rule() {
    return rule;
  }

  public ZoneId zone() {
    return rule.zone();
  }

  public OptionalInt maxExecutions() {
    return maxExecutions;
  }

  public CatchUpPolicy catchUp() {
    return catchUp;
  }

  /** How late a missed occurrence may still fire ({@code catch_up_grace_seconds}). */
  public Duration grace() {
    return grace;
  }

  /** Inclusive local start date; for a one-time rule the date of its instant in its zone. */
  public LocalDate startDate() {
    return startDate;
  }

  /** Inclusive local end date, if any. */
  public Optional<LocalDate> endDate() {
    return Optional.ofNullable(endDate);
  }

  /**
   * First occurrence {@code >= notBefore}, honouring start and end dates; ignores maxExecutions.
   */
  public Optional<Instant> firstAtOrAfter(Instant notBefore) {
    return bounded(rule.nextAfter(notBefore.minusNanos(1)));
  }

  /**
   * Next occurrence strictly after {@code previous}; empty when the end date has passed or {@code
   * executedSoFar >= maxExecutions}.
   */
  public Optional<Instant> nextAfter(Instant previous, long executedSoFar) {
    if (exhausted(executedSoFar)) {
      return Optional.empty();
    }
    return bounded(rule.nextAfter(previous));
  }

  /**
   * Up to {@code limit} upcoming occurrences at or after {@code from}, as a preview would list
   * them, given {@code executedSoFar} occurrences already fired.
   */
  public List<Instant> upcoming(Instant from, long executedSoFar, int limit) {
    List<Instant> result = new ArrayList<>(Math.max(0, Math.min(limit, 1024)));
    if (limit <= 0 || exhausted(executedSoFar)) {
      return result;
    }
    Optional<Instant> next = firstAtOrAfter(from);
    while (next.isPresent() && result.size() < limit) {
      result.add(next.get());
      next = nextAfter(next.get(), executedSoFar + result.size());
    }
    return result;
  }

  /**
   * Decides what to fire when the timer for occurrence {@code due} goes off at wall-clock {@code
   * now} ({@code due <= now}), given {@code executedSoFar} occurrences already fired.
   *
   * <p>The occurrences {@code o} with {@code due <= o <= now} are considered. On-time ones ({@code
   * now - o <= ON_TIME_TOLERANCE}) always fire; missed ones per {@link #catchUp()} within {@link
   * #grace()}. {@code maxExecutions} caps what fires. The walk never enumerates more than the grace
   * window, plus up to {@link #MAX_COUNTED_DROPS} older occurrences for the count.
   */
  public FireDecision onDue(Instant due, Instant now, long executedSoFar) {
    long remaining =
        maxExecutions.isPresent()
            ? Math.max(0, maxExecutions.getAsInt() - executedSoFar)
            : Long.MAX_VALUE;
    Duration window = grace.compareTo(ON_TIME_TOLERANCE) > 0 ? grace : ON_TIME_TOLERANCE;
    if (catchUp == CatchUpPolicy.SKIP) {
      window = ON_TIME_TOLERANCE;
    }
    Instant windowStart = now.minus(window);

    int dropped = 0;
    Optional<Instant> o = firstAtOrAfter(due);
    while (o.isPresent() && o.get().isBefore(windowStart)) {
      if (dropped == MAX_COUNTED_DROPS) {
        o = firstAtOrAfter(windowStart);
        break;
      }
      dropped++;
      o = bounded(rule.nextAfter(o.get()));
    }
    List<Instant> considered = new ArrayList<>();
    while (o.isPresent() && !o.get().isAfter(now)) {
      considered.add(o.get());
      o = bounded(rule.nextAfter(o.get()));
    }

    List<Instant> toFire = catchUp.select(considered, now, grace);
    if (toFire.size() > remaining) {
      toFire = toFire.subList(0, (int) remaining);
    }
    long droppedTotal = (long) dropped + considered.size() - toFire.size();
    int droppedCount = (int) Math.min(droppedTotal, MAX_COUNTED_DROPS);
    Instant after = due.isAfter(now) ? due.minusNanos(1) : now;
    return new FireDecision(toFire, droppedCount, nextAfter(after, executedSoFar + toFire.size()));
  }

  private boolean exhausted(long executedSoFar) {
    return maxExecutions.isPresent() && executedSoFar >= maxExecutions.getAsInt();
  }

  private Optional<Instant> bounded(Optional<Instant> occurrence) {
    if (endExclusive != null
        && occurrence.isPresent()
        && !occurrence.get().isBefore(endExclusive)) {
      return Optional.empty();
    }
    return occurrence;
  }

  @Override
  public String toString() {
    return "CompiledSchedule{"
        + rule.describe()
        + ", zone="
        + zone()
        + (endDate == null ? "" : ", until " + endDate)
        + (maxExecutions.isPresent() ? ", max " + maxExecutions.getAsInt() : "")
        + ", catchUp="
        + catchUp.wire()
        + ", grace="
        + grace
        + "}";
  }
}
