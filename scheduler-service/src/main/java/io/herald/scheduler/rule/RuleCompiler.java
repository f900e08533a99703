package io.herald.scheduler.rule;

import static io.herald.contracts.limit.ErrorTexts.quote;

import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.limit.Limits;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link RuleSpec} (the rule columns of a row, still textual) into a {@link
 * CompiledSchedule}, or into every reason it is invalid. Never throws for bad input: a rule a user
 * typed wrong comes back as {@link Compilation.Invalid} with one actionable message per problem.
 */
public final class RuleCompiler {

  private static final List<String> FREQUENCIES =
      List.of("once", "daily", "weekly", "monthly", "custom");
  private static final List<String> UNITS = List.of("minutes", "hours", "days", "weeks", "months");
  private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");
  private static final Set<String> ZONE_IDS = new TreeSet<>(ZoneId.getAvailableZoneIds());
  private static final ZoneId UTC = ZoneId.of("UTC");

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
      problems.add(new RuleProblem(ErrorReason.TOO_LARGE, "days_of_week has "
          + spec.daysOfWeek().size() + " entries, at most " + Limits.DAYS_OF_WEEK_MAX_ENTRIES));
    }
    return problems;
  }

  private static void tooLong(List<RuleProblem> problems, String column, String value, int max) {
    if (value != null && value.length() > max) {
      problems.add(new RuleProblem(ErrorReason.TOO_LARGE,
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

    Attempt(RuleSpec spec, Instant createdAt) {
      this.spec = spec;
      this.createdAt = createdAt;
    }

    Compilation compile() {
      String frequency = frequency();
      ZoneId zone = zone();
      int interval = interval();
      ChronoUnit unit = "custom".equals(frequency) ? unit() : null;
      CronExpression cron = "custom".equals(frequency) ? cron() : null;
      boolean needsTime =
          "daily".equals(frequency)
              || "weekly".equals(frequency)
              || "monthly".equals(frequency)
              || (unit != null && unit.isDateBased());
      LocalTime time = timeOfDay(needsTime, frequency, unit);
      Set<DayOfWeek> days = daysOfWeek("weekly".equals(frequency));
      Integer dayOfMonth = dayOfMonth("monthly".equals(frequency));
      LocalDate explicitStart = date("start_date", spec.startDate());
      LocalDate end = date("end_date", spec.endDate());
      if (explicitStart != null && end != null && end.isBefore(explicitStart)) {
        problems.add(invalid("end_date " + end + " is before start_date " + explicitStart));
      }
      OptionalInt maxExecutions = maxExecutions();
      CatchUpPolicy catchUp = catchUp();
      Duration grace = grace();
      Instant scheduledAt = "once".equals(frequency) ? scheduledAt() : null;
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

    private String frequency() {
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
    private ZoneId zone() {
      String raw = spec.timezone();
      if (raw == null || raw.isBlank()) {
        return UTC;
      }
      String id = raw.trim();
      if (ZONE_IDS.contains(id)) {
        return ZoneId.of(id);
      }
      String suggestion = suggestZone(id);
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

    /** A zone the user probably meant: same name in other case, a unique prefix, or a typo. */
    private static String suggestZone(String id) {
      String lower = id.toLowerCase(Locale.ROOT);
      List<String> prefixed = new ArrayList<>();
      String closest = null;
      int closestDistance = Integer.MAX_VALUE;
      boolean tie = false;
      for (String zone : ZONE_IDS) {
        String candidate = zone.toLowerCase(Locale.ROOT);
        String city = candidate.substring(candidate.lastIndexOf('/') + 1);
        if (candidate.equals(lower) || city.equals(lower)) {
          return zone;
        }
        if (lower.length() >= 4 && candidate.startsWith(lower)) {
          prefixed.add(zone);
        }
        int distance = editDistance(lower, candidate);
        if (distance < closestDistance) {
          closest = zone;
          closestDistance = distance;
          tie = false;
        } else if (distance == closestDistance) {
          tie = true;
        }
      }
      if (prefixed.size() == 1) {
        return prefixed.get(0);
      }
      return closestDistance <= 2 && !tie ? closest : null;
    }

    private static int editDistance(String a, String b) {
      int[] previous = new int[b.length() + 1];
      int[] current = new int[b.length() + 1];
      for (int j = 0; j <= b.length(); j++) {
        previous[j] = j;
      }
      for (int i = 1; i <= a.length(); i++) {
        current[0] = i;
        for (int j = 1; j <= b.length(); j++) {
          int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
          current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
        }
        int[] swap = previous;
        previous = current;
        current = swap;
      }
      return previous[b.length()];
    }

    private int interval() {
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

    private ChronoUnit unit() {
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

    private CronExpression cron() {
      String raw = spec.cronExpression();
      if (raw == null || raw.isBlank()) {
        return null;
      }
      return CronExpression.parse(
          raw, problem -> problems.add(invalid("cron_expression " + quote(raw) + ": " + problem)));
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

    private LocalTime timeOfDay(boolean required, String frequency, ChronoUnit unit) {
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

    private Set<DayOfWeek> daysOfWeek(boolean required) {
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

    private Integer dayOfMonth(boolean required) {
      Integer value = spec.dayOfMonth();
      if (value == null) {
        if (required) {
          problems.add(
              invalid("monthly schedule needs day_of_month (1–31, or -1 for the last day)"));
        }
        return null;
      }
      if (value != Monthly.LAST_DAY && (value < 1 || value > 31)) {
        problems.add(invalid("day_of_month " + value + " is out of range 1–31 or -1"));
        return null;
      }
      return value;
    }

    private LocalDate date(String column, String raw) {
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

    private OptionalInt maxExecutions() {
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

    private CatchUpPolicy catchUp() {
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

    private Duration grace() {
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

    private Instant scheduledAt() {
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
  }
}
