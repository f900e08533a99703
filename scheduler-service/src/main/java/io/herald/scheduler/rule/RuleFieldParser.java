package io.herald.scheduler.rule;

import static io.herald.contracts.limit.ErrorTexts.quote;

import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.outcome.ErrorReason;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the rule columns of a {@link RuleSpec} one by one, each into its typed value. A column that
 * cannot be read adds one actionable {@link RuleProblem} to the shared list and yields a fallback
 * ({@code null} or the column's default), so the other columns are still checked; how the columns
 * fit together is {@link RuleCompiler}'s business.
 */
final class RuleFieldParser {

  private static final List<String> FREQUENCIES =
      List.of("once", "daily", "weekly", "monthly", "custom");
  private static final List<String> UNITS = List.of("minutes", "hours", "days", "weeks", "months");
  private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");
  private static final ZoneId UTC = ZoneId.of("UTC");

  private final RuleSpec spec;
  private final List<RuleProblem> problems;

  RuleFieldParser(RuleSpec spec, List<RuleProblem> problems) {
    this.spec = spec;
    this.problems = problems;
  }

  String frequency() {
    String raw = spec.frequency();
    if (raw == null || raw.isBlank()) {
      problems.add(invalid("frequency is required: one of " + String.join(", ", FREQUENCIES)));
      return null;
    }
    String normalized = raw.trim().toLowerCase(Locale.ROOT);
    if (!FREQUENCIES.contains(normalized)) {
      problems.add(
          invalid("frequency " + quote(raw) + " is not one of " + String.join(", ", FREQUENCIES)));
      return null;
    }
    return normalized;
  }

  /** Null or blank means UTC, the column's default. */
  ZoneId zone() {
    String raw = spec.timezone();
    if (raw == null || raw.isBlank()) {
      return UTC;
    }
    String id = raw.trim();
    if (ZoneNames.isKnown(id)) {
      return ZoneId.of(id);
    }
    String suggestion = ZoneNames.suggest(id);
    problems.add(
        new RuleProblem(
            ErrorReason.UNKNOWN_TIMEZONE,
            "timezone "
                + quote(raw)
                + " is not an IANA zone"
                + (suggestion == null
                    ? " (use a name such as Europe/Berlin or America/New_York)"
                    : " (did you mean " + suggestion + "?)")));
    // Keep validating the other columns against a zone that exists.
    return UTC;
  }

  int interval() {
    Integer value = spec.intervalValue();
    if (value == null) {
      return 1;
    }
    if (value < 1) {
      problems.add(invalid("interval_value " + value + " must be at least 1"));
      return 1;
    }
    return value;
  }

  ChronoUnit unit() {
    String raw = spec.intervalUnit();
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String normalized = raw.trim().toLowerCase(Locale.ROOT);
    if (!normalized.endsWith("s")) {
      normalized = normalized + "s";
    }
    if (!UNITS.contains(normalized)) {
      problems.add(
          invalid("interval_unit " + quote(raw) + " is not one of " + String.join(", ", UNITS)));
      return null;
    }
    return ChronoUnit.valueOf(normalized.toUpperCase(Locale.ROOT));
  }

  CronExpression cron() {
    String raw = spec.cronExpression();
    if (raw == null || raw.isBlank()) {
      return null;
    }
    return CronExpression.parse(
        raw, problem -> problems.add(invalid("cron_expression " + quote(raw) + ": " + problem)));
  }

  LocalTime timeOfDay(boolean required, String frequency, ChronoUnit unit) {
    String raw = spec.timeOfDay();
    if (raw == null || raw.isBlank()) {
      if (required) {
        String what =
            unit != null
                ? "custom schedule with interval_unit '"
                    + unit.name().toLowerCase(Locale.ROOT)
                    + "'"
                : frequency + " schedule";
        problems.add(invalid(what + " needs time_of_day (HH:mm)"));
      }
      return null;
    }
    Matcher m = TIME.matcher(raw.trim());
    if (m.matches()) {
      int hour = Integer.parseInt(m.group(1));
      int minute = Integer.parseInt(m.group(2));
      int second = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
      if (hour <= 23 && minute <= 59 && second <= 59) {
        return LocalTime.of(hour, minute, second);
      }
    }
    problems.add(
        invalid(
            "time_of_day " + quote(raw) + " is not a time of day HH:mm or HH:mm:ss (00:00–23:59)"));
    return null;
  }

  Set<DayOfWeek> daysOfWeek(boolean required) {
    List<Integer> raw = spec.daysOfWeek();
    if (raw == null || raw.isEmpty()) {
      if (required) {
        problems.add(
            invalid(
                "weekly schedule needs at least one day in days_of_week (0 = Sunday … 6 ="
                    + " Saturday)"));
      }
      return null;
    }
    EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    boolean ok = true;
    for (Integer value : raw) {
      if (value == null || value < 0 || value > 6) {
        problems.add(
            invalid(
                "days_of_week value "
                    + value
                    + " is out of range 0–6 (0 = Sunday … 6 = Saturday)"));
        ok = false;
      } else {
        days.add(value == 0 ? DayOfWeek.SUNDAY : DayOfWeek.of(value));
      }
    }
    return ok ? days : null;
  }

  Integer dayOfMonth(boolean required) {
    Integer value = spec.dayOfMonth();
    if (value == null) {
      if (required) {
        problems.add(invalid("monthly schedule needs day_of_month (1–31, or -1 for the last day)"));
      }
      return null;
    }
    if (value != Monthly.LAST_DAY && (value < 1 || value > 31)) {
      problems.add(invalid("day_of_month " + value + " is out of range 1–31 or -1"));
      return null;
    }
    return value;
  }

  LocalDate date(String column, String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return LocalDate.parse(raw.trim());
    } catch (DateTimeException e) {
      problems.add(invalid(column + " " + quote(raw) + " is not a date yyyy-MM-dd"));
      return null;
    }
  }

  OptionalInt maxExecutions() {
    Integer value = spec.maxExecutions();
    if (value == null) {
      return OptionalInt.empty();
    }
    if (value < 0) {
      problems.add(invalid("max_executions " + value + " must not be negative"));
      return OptionalInt.empty();
    }
    return OptionalInt.of(value);
  }

  CatchUpPolicy catchUp() {
    String raw = spec.catchUp();
    if (raw == null || raw.isBlank()) {
      return CatchUpPolicy.DEFAULT;
    }
    return CatchUpPolicy.fromWire(raw)
        .orElseGet(
            () -> {
              problems.add(
                  invalid("catch_up " + quote(raw) + " is not one of skip, fire_once, fire_all"));
              return CatchUpPolicy.DEFAULT;
            });
  }

  Duration grace() {
    Integer value = spec.catchUpGraceSeconds();
    if (value == null) {
      return CompiledSchedule.DEFAULT_GRACE;
    }
    if (value < 0) {
      problems.add(invalid("catch_up_grace_seconds " + value + " must not be negative"));
      return CompiledSchedule.DEFAULT_GRACE;
    }
    return Duration.ofSeconds(value);
  }

  Instant scheduledAt() {
    String raw = spec.scheduledAt();
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String text = raw.trim();
    try {
      return Instant.parse(text);
    } catch (DateTimeException notAnInstant) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeException notAnOffsetDateTime) {
        problems.add(
            invalid(
                "scheduled_at "
                    + quote(raw)
                    + " is not an ISO-8601 instant such as 2026-03-08T09:00:00Z"));
        return null;
      }
    }
  }

  private static RuleProblem invalid(String message) {
    return new RuleProblem(ErrorReason.INVALID_RULE, message);
  }
}
