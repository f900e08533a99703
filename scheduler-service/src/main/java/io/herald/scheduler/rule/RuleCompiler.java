package io.herald.scheduler.rule;

import static io.herald.contracts.limit.ErrorTexts.quote;

import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ErrorReason;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns a {@link RuleSpec} (the rule columns of a row, still textual) into a {@link
 * CompiledSchedule}, or into every reason it is invalid. Never throws for bad input: a rule a user
 * typed wrong comes back as {@link Compilation.Invalid} with one actionable message per problem.
 */
public final class RuleCompiler {

  private RuleCompiler() {}

  /**
   * Validates and compiles. {@code createdAt} anchors a {@code once} rule without {@code
   * scheduledAt}, and a missing {@code start_date} (the creation date in the rule's zone).
   */
  public static Compilation compile(RuleSpec spec, Instant createdAt) {
    Objects.requireNonNull(createdAt, "createdAt");
    if (spec == null) {
      return new Compilation.Invalid(List.of(invalid("the schedule has no rule")));
    }
    List<RuleProblem> oversized = oversized(spec);
    if (!oversized.isEmpty()) {
      // Checked before any parsing: a 20 KB cron or a 100 KB zone name must cost nothing (zone
      // suggestions are an edit distance per known zone) and echo nothing back.
      return new Compilation.Invalid(oversized);
    }
    return new Attempt(spec, createdAt).compile();
  }

  /** Fields over their documented bound ({@link Limits}); empty when every field fits. */
  static List<RuleProblem> oversized(RuleSpec spec) {
    List<RuleProblem> problems = new ArrayList<>();
    tooLong(problems, "frequency", spec.frequency(), Limits.RULE_TEXT_MAX_CHARS);
    tooLong(problems, "interval_unit", spec.intervalUnit(), Limits.RULE_TEXT_MAX_CHARS);
    tooLong(problems, "cron_expression", spec.cronExpression(), Limits.CRON_MAX_CHARS);
    tooLong(problems, "time_of_day", spec.timeOfDay(), Limits.RULE_TEXT_MAX_CHARS);
    tooLong(problems, "timezone", spec.timezone(), Limits.TIMEZONE_MAX_CHARS);
    tooLong(problems, "start_date", spec.startDate(), Limits.RULE_TEXT_MAX_CHARS);
    tooLong(problems, "end_date", spec.endDate(), Limits.RULE_TEXT_MAX_CHARS);
    tooLong(problems, "catch_up", spec.catchUp(), Limits.RULE_TEXT_MAX_CHARS);
    tooLong(problems, "scheduled_at", spec.scheduledAt(), Limits.RULE_TEXT_MAX_CHARS);
    if (spec.daysOfWeek() != null && spec.daysOfWeek().size() > Limits.DAYS_OF_WEEK_MAX_ENTRIES) {
      problems.add(
          new RuleProblem(
              ErrorReason.TOO_LARGE,
              "days_of_week has "
                  + spec.daysOfWeek().size()
                  + " entries, at most "
                  + Limits.DAYS_OF_WEEK_MAX_ENTRIES));
    }
    return problems;
  }

  private static void tooLong(List<RuleProblem> problems, String column, String value, int max) {
    if (value != null && value.length() > max) {
      problems.add(
          new RuleProblem(
              ErrorReason.TOO_LARGE,
              column + " has " + value.length() + " characters, at most " + max));
    }
  }

  private static RuleProblem invalid(String message) {
    return new RuleProblem(ErrorReason.INVALID_RULE, message);
  }

  /** One compilation; collects problems instead of stopping at the first. */
  private static final class Attempt {
    private final RuleSpec spec;
    private final Instant createdAt;
    private final List<RuleProblem> problems = new ArrayList<>();
    private final RuleFieldParser fields;

    Attempt(RuleSpec spec, Instant createdAt) {
      this.spec = spec;
      this.createdAt = createdAt;
      this.fields = new RuleFieldParser(spec, problems);
    }

    Compilation compile() {
      String frequency = fields.frequency();
      ZoneId zone = fields.zone();
      int interval = fields.interval();
      ChronoUnit unit = "custom".equals(frequency) ? fields.unit() : null;
      CronExpression cron = "custom".equals(frequency) ? fields.cron() : null;
      boolean needsTime =
          "daily".equals(frequency)
              || "weekly".equals(frequency)
              || "monthly".equals(frequency)
              || (unit != null && unit.isDateBased());
      LocalTime time = fields.timeOfDay(needsTime, frequency, unit);
      Set<DayOfWeek> days = fields.daysOfWeek("weekly".equals(frequency));
      Integer dayOfMonth = fields.dayOfMonth("monthly".equals(frequency));
      LocalDate explicitStart = fields.date("start_date", spec.startDate());
      LocalDate end = fields.date("end_date", spec.endDate());
      if (explicitStart != null && end != null && end.isBefore(explicitStart)) {
        problems.add(invalid("end_date " + end + " is before start_date " + explicitStart));
      }
      OptionalInt maxExecutions = fields.maxExecutions();
      CatchUpPolicy catchUp = fields.catchUp();
      Duration grace = fields.grace();
      Instant scheduledAt = "once".equals(frequency) ? fields.scheduledAt() : null;
      if ("custom".equals(frequency)) {
        customShape(unit, cron);
      }
      intervalRange(frequency, unit, interval);

      if (!problems.isEmpty()) {
        return new Compilation.Invalid(problems);
      }
      LocalDate start =
          explicitStart != null ? explicitStart : LocalDate.ofInstant(createdAt, zone);
      Rule rule =
          switchOnFrequency(
              frequency, zone, interval, unit, cron, time, days, dayOfMonth, start, scheduledAt);
      LocalDate startDate =
          rule instanceof Once once ? LocalDate.ofInstant(once.at(), zone) : start;
      return new Compilation.Valid(
          new CompiledSchedule(rule, startDate, end, maxExecutions, catchUp, grace));
    }

    private Rule switchOnFrequency(
        String frequency,
        ZoneId zone,
        int interval,
        ChronoUnit unit,
        CronExpression cron,
        LocalTime time,
        Set<DayOfWeek> days,
        Integer dayOfMonth,
        LocalDate start,
        Instant scheduledAt) {
      switch (frequency) {
        case "once":
          return new Once(scheduledAt != null ? scheduledAt : createdAt, zone);
        case "daily":
          return new Daily(interval, time, start, zone);
        case "weekly":
          return new Weekly(interval, days, time, start, zone);
        case "monthly":
          return new Monthly(interval, dayOfMonth, time, start, zone);
        default:
          return custom(zone, interval, unit, cron, time, days, dayOfMonth, start);
      }
    }

    /** Calendar units reuse the daily/weekly/monthly rules: they follow the local calendar too. */
    private static Rule custom(
        ZoneId zone,
        int interval,
        ChronoUnit unit,
        CronExpression cron,
        LocalTime time,
        Set<DayOfWeek> days,
        Integer dayOfMonth,
        LocalDate start) {
      if (cron != null) {
        return new Custom.Cron(cron, start, zone);
      }
      switch (unit) {
        case MINUTES:
        case HOURS:
          return new Custom.Every(interval, unit, start, zone);
        case DAYS:
          return new Daily(interval, time, start, zone);
        case WEEKS:
          return new Weekly(
              interval, days != null ? days : EnumSet.of(start.getDayOfWeek()), time, start, zone);
        default:
          return new Monthly(
              interval, dayOfMonth != null ? dayOfMonth : start.getDayOfMonth(), time, start, zone);
      }
    }

    /** Caps keep date arithmetic far from overflow; each is about ten years. */
    private void intervalRange(String frequency, ChronoUnit unit, int interval) {
      ChronoUnit effective =
          unit != null
              ? unit
              : "daily".equals(frequency)
                  ? ChronoUnit.DAYS
                  : "weekly".equals(frequency)
                      ? ChronoUnit.WEEKS
                      : "monthly".equals(frequency) ? ChronoUnit.MONTHS : null;
      if (effective == null) {
        return;
      }
      long max = maxInterval(effective);
      if (interval > max) {
        problems.add(
            invalid(
                "interval_value "
                    + interval
                    + " is too large for "
                    + effective.name().toLowerCase(Locale.ROOT)
                    + " (at most "
                    + max
                    + ")"));
      }
    }

    private static long maxInterval(ChronoUnit unit) {
      switch (unit) {
        case MINUTES:
          return 60L * 24 * 3660;
        case HOURS:
          return 24L * 3660;
        case DAYS:
          return 3660;
        case WEEKS:
          return 523;
        default:
          return 120;
      }
    }

    private void customShape(ChronoUnit unit, CronExpression cron) {
      boolean hasUnit = spec.intervalUnit() != null && !spec.intervalUnit().isBlank();
      boolean hasCron = spec.cronExpression() != null && !spec.cronExpression().isBlank();
      if (!hasUnit && !hasCron) {
        problems.add(
            invalid(
                "custom schedule needs either interval_unit (with interval_value) or"
                    + " cron_expression"));
      } else if (hasUnit && hasCron) {
        problems.add(
            invalid(
                "custom schedule has both interval_unit "
                    + quote(spec.intervalUnit())
                    + " and cron_expression "
                    + quote(spec.cronExpression())
                    + "; keep only one"));
      }
    }
  }
}
