package io.herald.scheduler.cli;

import io.herald.contracts.event.RuleSpec;
import java.time.Instant;

/**
 * The rule columns of one stored schedule.
 *
 * @param table where it was found: {@code recurring_messages}, {@code auto_post_schedules} or
 *     {@code broadcasts}
 * @param executionCount occurrences already fired (for a broadcast: 1 once it started, else 0)
 * @param createdAt anchors a missing start date or an unscheduled broadcast
 */
public record StoredRule(String table, RuleSpec spec, long executionCount, Instant createdAt) {}
