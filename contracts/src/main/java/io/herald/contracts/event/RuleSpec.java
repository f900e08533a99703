package io.herald.contracts.event;

import java.util.List;

/**
 * A schedule's timing, as the user wrote it. Values stay textual so that a wrong one (an unknown
 * zone, a 25:00 time) reaches the scheduler's validator and comes back as a readable reason instead
 * of failing deserialization.
 *
 * @param frequency {@code once | daily | weekly | monthly | custom}
 * @param intervalValue every N units (days, weeks, months, or the custom unit); null means 1
 * @param intervalUnit for custom: {@code minutes | hours | days | weeks | months}
 * @param cronExpression for custom: a 5-field cron evaluated on local wall time in {@code timezone}
 * @param timeOfDay local time {@code HH:mm} or {@code HH:mm:ss}
 * @param daysOfWeek 0 = Sunday … 6 = Saturday
 * @param dayOfMonth 1–31, or -1 for the last day of the month
 * @param timezone IANA zone id, e.g. {@code Europe/Berlin}
 * @param startDate inclusive local date {@code yyyy-MM-dd} in {@code timezone}
 * @param endDate inclusive local date {@code yyyy-MM-dd} in {@code timezone}
 * @param maxExecutions fired occurrences after which the schedule finishes; null = unbounded
 * @param catchUp {@code skip | fire_once | fire_all}; null = fire_once
 * @param catchUpGraceSeconds how late a missed occurrence may still fire; null = 3600
 * @param scheduledAt for {@code once}: ISO-8601 instant; null means "at creation"
 */
public record RuleSpec(
    String frequency,
    Integer intervalValue,
    String intervalUnit,
    String cronExpression,
    String timeOfDay,
    List<Integer> daysOfWeek,
    Integer dayOfMonth,
    String timezone,
    String startDate,
    String endDate,
    Integer maxExecutions,
    String catchUp,
    Integer catchUpGraceSeconds,
    String scheduledAt) {

  public RuleSpec {
    daysOfWeek = daysOfWeek == null ? null : List.copyOf(daysOfWeek);
  }

  /** A one-time rule firing at {@code scheduledAt} (ISO instant), or at creation when null. */
  public static RuleSpec once(String scheduledAt) {
    return new RuleSpec(
        "once", null, null, null, null, null, null, "UTC", null, null, 1, null, null, scheduledAt);
  }
}
