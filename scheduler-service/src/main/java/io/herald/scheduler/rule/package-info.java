/**
 * Schedule rules: compiles a {@link io.herald.contracts.event.RuleSpec} into a validated {@link
 * io.herald.scheduler.rule.CompiledSchedule} (or every reason it is invalid), computes occurrences
 * across time zones and DST, and applies the catch-up policy after downtime.
 *
 * <p>Pure {@code java.time}: imports only {@code java.*} and {@code io.herald.contracts}, never
 * reads the clock (callers pass instants), and never throws for a bad definition. The DST policy
 * lives in one place, {@link io.herald.scheduler.rule.WallClock}; see {@code docs/TIME.md}.
 */
package io.herald.scheduler.rule;
