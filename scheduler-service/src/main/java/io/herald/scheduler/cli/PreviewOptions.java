package io.herald.scheduler.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The parsed command line of {@link PreviewCommand}. Rule columns stay textual (null = not given)
 * so that a wrong value reaches the rule validator and comes back as the same reason the service
 * would give; only what the validator cannot see (numbers, names of days, the instant to start
 * from) is checked here.
 */
record PreviewOptions(
    Map<String, String> ruleColumns,
    List<Integer> daysOfWeek,
    Integer intervalValue,
    Integer dayOfMonth,
    Integer maxExecutions,
    Integer graceSeconds,
    int count,
    Instant after,
    Long executed,
    boolean json,
    boolean help,
    UUID id,
    String jdbcUrl,
    boolean dryRun,
    int limit) {

  static final int DEFAULT_COUNT = 10;
  static final int MAX_COUNT = 10_000;

  /** Flags whose value is a rule column, by flag. */
  private static final Map<String, String> TEXT_COLUMNS =
      Map.of(
          "--frequency", "frequency",
          "--unit", "interval_unit",
          "--cron", "cron_expression",
          "--time", "time_of_day",
          "--tz", "timezone",
          "--start", "start_date",
          "--end", "end_date",
          "--catch-up", "catch_up",
          "--scheduled-at", "scheduled_at");

  private static final List<String> DAY_NAMES =
      List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  static PreviewOptions parse(List<String> args) throws UsageException {
    Map<String, String> columns = new LinkedHashMap<>();
    List<Integer> days = null;
    Integer interval = null;
    Integer dayOfMonth = null;
    Integer max = null;
    Integer grace = null;
    int count = DEFAULT_COUNT;
    Instant after = null;
    Long executed = null;
    boolean json = false;
    boolean help = false;
    UUID id = null;
    String jdbcUrl = null;
    boolean dryRun = false;
    Integer limit = null;

    List<String> tokens = new ArrayList<>(args);
    // The issue writes the command as "preview --frequency ..."; accept the verb.
    if (!tokens.isEmpty() && tokens.get(0).equals("preview")) {
      tokens.remove(0);
    }
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      String flag = token;
      String inlineValue = null;
      int equals = token.indexOf('=');
      if (token.startsWith("--") && equals > 0) {
        flag = token.substring(0, equals);
        inlineValue = token.substring(equals + 1);
      }
      switch (flag) {
        case "--help":
        case "-h":
          help = true;
          continue;
        case "--json":
          json = true;
          continue;
        case "--dry-run":
          dryRun = true;
          continue;
        default:
          break;
      }
      if (!flag.startsWith("-")) {
        throw new UsageException("unexpected argument '" + token + "'");
      }
      String value;
      if (inlineValue != null) {
        value = inlineValue;
      } else if (i + 1 < tokens.size()) {
        value = tokens.get(++i);
      } else {
        throw new UsageException(flag + " needs a value");
      }
      String column = TEXT_COLUMNS.get(flag);
      if (column != null) {
        columns.put(column, value);
        continue;
      }
      switch (flag) {
        case "--interval":
          interval = integer(flag, value);
          break;
        case "--day-of-month":
          dayOfMonth = integer(flag, value);
          break;
        case "--max-executions":
          max = integer(flag, value);
          break;
        case "--grace":
          grace = integer(flag, value);
          break;
        case "--days":
          days = days(value);
          break;
        case "-n":
          count = integer(flag, value);
          if (count < 1 || count > MAX_COUNT) {
            throw new UsageException("-n " + value + " must be between 1 and " + MAX_COUNT);
          }
          break;
        case "--after":
          after = instant(value);
          break;
        case "--executed":
          executed = (long) integer(flag, value);
          if (executed < 0) {
            throw new UsageException("--executed " + value + " must not be negative");
          }
          break;
        case "--id":
          id = uuid(value);
          break;
        case "--jdbc-url":
          jdbcUrl = value;
          break;
        case "--limit":
          limit = integer(flag, value);
          if (limit < 1 || limit > DryRunCommand.MAX_LIMIT) {
            throw new UsageException(
                "--limit " + value + " must be between 1 and " + DryRunCommand.MAX_LIMIT);
          }
          break;
        default:
          throw new UsageException("unknown option " + flag);
      }
    }
    if (limit != null && !dryRun) {
      throw new UsageException("--limit goes with --dry-run (use -n for occurrences)");
    }
    if (dryRun && id == null) {
      throw new UsageException("--dry-run needs --id: it shows a stored definition");
    }
    if (dryRun && json) {
      throw new UsageException("--dry-run prints text only; drop --json");
    }
    PreviewOptions parsed =
        new PreviewOptions(
            columns,
            days,
            interval,
            dayOfMonth,
            max,
            grace,
            count,
            after,
            executed,
            json,
            help,
            id,
            jdbcUrl,
            dryRun,
            limit == null ? DryRunCommand.DEFAULT_LIMIT : limit);
    if (dryRun && parsed.hasRuleFlags()) {
      // The dry run shows what the stored definition will do; an overridden rule would not.
      throw new UsageException("--dry-run shows the stored rule; rule options cannot change it");
    }
    return parsed;
  }

  /** Whether any rule column was given on the command line (they override a stored row). */
  boolean hasRuleFlags() {
    return !ruleColumns.isEmpty()
        || daysOfWeek != null
        || intervalValue != null
        || dayOfMonth != null
        || maxExecutions != null
        || graceSeconds != null;
  }

  private static int integer(String flag, String value) throws UsageException {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " '" + value + "' is not a whole number");
    }
  }

  /** {@code MON,WED} or {@code 1,3} (0 = Sunday); numbers pass through for the validator. */
  private static List<Integer> days(String value) throws UsageException {
    List<Integer> result = new ArrayList<>();
    if (value.isBlank()) {
      return result;
    }
    for (String part : value.split(",")) {
      String item = part.trim();
      if (item.matches("-?\\d{1,9}")) {
        result.add(Integer.parseInt(item));
        continue;
      }
      String name = item.length() >= 3 ? item.substring(0, 3).toUpperCase(Locale.ROOT) : item;
      int index = DAY_NAMES.indexOf(name);
      if (index < 0) {
        throw new UsageException(
            "--days '" + value + "': '" + item + "' is not a day (SUN…SAT or 0…6, 0 = Sunday)");
      }
      result.add(index);
    }
    return result;
  }

  private static Instant instant(String value) throws UsageException {
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeException notAnInstant) {
      try {
        return OffsetDateTime.parse(value.trim()).toInstant();
      } catch (DateTimeException notAnOffsetDateTime) {
        throw new UsageException(
            "--after '" + value + "' is not an ISO-8601 instant such as 2026-03-08T09:00:00Z");
      }
    }
  }

  private static UUID uuid(String value) throws UsageException {
    try {
      return UUID.fromString(value.trim());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--id '" + value + "' is not a UUID");
    }
  }
}
