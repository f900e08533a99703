package io.herald.scheduler.schedule;

import io.herald.contracts.outcome.ScheduleError;
import io.herald.scheduler.rule.CompiledSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link Decision} can do to one schedule; the topology implements it over its stores and
 * outputs, bound to the schedule's key and to its standing before the decision. A port: nothing
 * here names a store, a topic or Kafka.
 */
public interface ScheduleEffects {

  /** How loud a {@link #note} is. */
  enum Severity {
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  /** Cancels the armed timer, the device wait and every unfinished fan-out; forgets the rule. */
  void stopEverything();

  /** Cancels the timer armed before the decision, if any. */
  void cancelTimer();

  /** Ends the schedule's wait for its device, if it had one. */
  void clearDeviceWait();

  /** Re-checks the schedule on every tick until {@code deadline}. */
  void awaitDevice(Instant deadline);

  void armTimer(Instant due);

  /** Replaces the stored recipients with {@code canonical}. */
  void writeRecipients(List<String> canonical);

  void deleteRecipients();

  /** The rule compiled for {@code generation}, worth keeping until the next accepted change. */
  void rememberRule(long generation, CompiledSchedule schedule);

  /** Tells the schedule's row why it was not accepted. */
  void publish(ScheduleError error);

  /** How late a due timer was handled. */
  void lateness(Duration late);

  /** Fires one occurrence of the stored definition. */
  void fire(Firing firing);

  /**
   * Stores the schedule's new standing with {@code definition} (without recipients; null when none
   * is kept).
   */
  void save(Definition definition, Standing after);

  /** Stores the schedule's new standing, keeping the stored definition. */
  void saveStanding(Standing after);

  /** A log line about the schedule: a sentence, then {@code key=value} details (may be empty). */
  void note(Severity severity, String sentence, String details);
}
