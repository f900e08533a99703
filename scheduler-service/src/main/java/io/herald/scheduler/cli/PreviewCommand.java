package io.herald.scheduler.cli;

import io.herald.contracts.event.RuleSpec;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.Daily;
import io.herald.scheduler.rule.Monthly;
import io.herald.scheduler.rule.RuleCompiler;
import io.herald.scheduler.rule.RuleProblem;
import io.herald.scheduler.rule.Weekly;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code preview}: prints the next occurrences of a rule, in UTC and local time, from flags or from
 * a stored row ({@code --id}). Users run it to check a schedule before saving it; it uses the same
 * compiler as the scheduler, so what it prints is what will fire.
 */
public final class PreviewCommand {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int INVALID = 2;

  static final String USAGE =
      String.join(
          "\n",
          "Usage: preview [rule options] [-n N] [--after INSTANT] [--executed K] [--json]",
          "       preview --id UUID [--jdbc-url URL] [rule options to override] [-n N] ...",
          "       preview --id UUID --dry-run [--limit N] [--after INSTANT] [--jdbc-url URL]",
          "",
          "Prints the next occurrences of a schedule rule, in UTC and in the rule's time zone.",
          "",
          "Rule options (the columns of recurring_messages / auto_post_schedules):",
          "  --frequency F        once | daily | weekly | monthly | custom",
          "                       (default: custom with --cron or --unit, once with"
              + " --scheduled-at)",
          "  --interval N         every N days, weeks or months, or N units for custom (default 1)",
          "  --unit U             custom: minutes | hours | days | weeks | months",
          "  --cron EXPR          custom: 5-field cron on local wall time, e.g. '0 9 * * MON-FRI'",
          "  --time HH:mm         time of day for daily, weekly, monthly and custom calendar units",
          "  --days LIST          weekly: MON,WED or 1,3 (0 = Sunday ... 6 = Saturday)",
          "  --day-of-month D     monthly: 1-31 (last day of shorter months), or -1 for the last"
              + " day",
          "  --tz ZONE            IANA time zone, e.g. America/New_York (default UTC)",
          "  --start DATE         first local date yyyy-MM-dd (default: the creation date in the",
          "                       zone: the row's, else today, or the --after date if earlier)",
          "  --end DATE           last local date yyyy-MM-dd, inclusive",
          "  --max-executions M   finish after M fired occurrences",
          "  --catch-up P         skip | fire_once | fire_all (shown; does not change the list)",
          "  --grace SECONDS      catch-up grace window (default 3600)",
          "  --scheduled-at INST  once: the ISO instant to fire at (default: now)",
          "",
          "Preview options:",
          "  -n N                 how many occurrences to list (default 10)",
          "  --after INSTANT      list occurrences at or after this ISO instant (default: now)",
          "  --executed K         occurrences already fired; they count against --max-executions",
          "                       (default 0, or the row's execution_count with --id)",
          "  --json               print a JSON array of {\"utc\": ..., \"local\": ...}",
          "  --id UUID            read the rule of a row of recurring_messages,",
          "                       auto_post_schedules or broadcasts; rule options override it",
          "  --jdbc-url URL       database for --id (default: $HERALD_JDBC_URL; credentials",
          "                       from $HERALD_JDBC_USER and $HERALD_JDBC_PASSWORD)",
          "  --dry-run            with --id: the next occurrence as it would go out, read only",
          "                       (nothing written, nothing sent): device and its status,",
          "                       recipients resolved as the scheduler does, the text (or",
          "                       template) of the first sends, skips by reason, sends the",
          "                       messaging limit would defer, and the estimated completion from",
          "                       the device's pacing and backlog; numbers show their last 4",
          "                       digits. HERALD_SEED_COMPAT as on the services (default true)",
          "  --limit N            --dry-run: sends and skips listed, 1-100 (default 5)",
          "  -h, --help           show this text",
          "",
          "Exit status: 0 ok; 2 invalid rule (each reason on its own line), invalid definition",
          "(--dry-run: the validator's reasons on stdout), unknown id or bad arguments;",
          "1 the database could not be read.",
          "",
          "Example: preview --frequency weekly --days MON,WED --time 09:00 --tz America/New_York -n"
              + " 10");

  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm xxx", Locale.ROOT);
  private static final DateTimeFormatter LOCAL_WITH_SECONDS =
      DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss xxx", Locale.ROOT);

  private PreviewCommand() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err, System.getenv()));
  }

  /** Runs the command; returns the exit status. Never throws, never prints a stack trace. */
  public static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, Clock.systemUTC());
  }

  static int run(
      List<String> args, PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
    PreviewOptions options;
    try {
      options = PreviewOptions.parse(args);
    } catch (UsageException e) {
      return usageError(err, e.getMessage());
    }
    if (options.help()) {
      out.println(USAGE);
      return OK;
    }
    try {
      return preview(options, out, err, env, clock);
    } catch (UsageException e) {
      return usageError(err, e.getMessage());
    } catch (SQLException e) {
      err.println("preview: cannot read schedule " + options.id() + ": " + oneLine(e.getMessage()));
      return FAILED;
    } catch (RuntimeException e) {
      // A bug must still not greet the user with a stack trace.
      err.println(
          "preview: failed: " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
      return FAILED;
    }
  }

  private static int preview(
      PreviewOptions options,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Clock clock)
      throws UsageException, SQLException {
    if (options.dryRun()) {
      String url = jdbcUrl(options, env);
      JdbcRuleReader reader =
          new JdbcRuleReader(url, env.get("HERALD_JDBC_USER"), env.get("HERALD_JDBC_PASSWORD"));
      return DryRunCommand.run(options, reader, url, env, out, clock);
    }
    Instant now = clock.instant();
    Optional<StoredRule> stored = Optional.empty();
    if (options.id() != null) {
      stored = Optional.of(readRow(options, env));
    }
    RuleSpec spec = merge(stored.map(StoredRule::spec).orElse(null), options);
    Instant after = options.after() != null ? options.after() : now;
    // Without a row, "created" means now; previewing from an earlier --after reads as "had I
    // created it then", so that a missing start date does not hide the earlier occurrences.
    Instant createdAt = stored.map(StoredRule::createdAt).orElse(after.isBefore(now) ? after : now);
    if (createdAt == null) {
      createdAt = now;
    }
    Compilation compilation = RuleCompiler.compile(spec, createdAt);
    if (compilation instanceof Compilation.Invalid invalid) {
      for (RuleProblem problem : invalid.problems()) {
        err.println(problem.message());
      }
      return INVALID;
    }
    CompiledSchedule schedule = ((Compilation.Valid) compilation).schedule();
    long executed =
        options.executed() != null
            ? options.executed()
            : stored.map(StoredRule::executionCount).orElse(0L);
    List<Instant> occurrences = schedule.upcoming(after, executed, options.count());
    if (options.json()) {
      out.println(json(occurrences, schedule.zone()));
    } else {
      text(out, stored, schedule, executed, after, options.count(), occurrences);
    }
    return OK;
  }

  private static StoredRule readRow(PreviewOptions options, Map<String, String> env)
      throws UsageException, SQLException {
    String url = jdbcUrl(options, env);
    JdbcRuleReader reader =
        new JdbcRuleReader(url, env.get("HERALD_JDBC_USER"), env.get("HERALD_JDBC_PASSWORD"));
    return reader
        .find(options.id())
        .orElseThrow(
            () ->
                new UsageException(
                    "no schedule with id "
                        + options.id()
                        + " in recurring_messages, auto_post_schedules or broadcasts"));
  }

  private static String jdbcUrl(PreviewOptions options, Map<String, String> env)
      throws UsageException {
    String url = options.jdbcUrl() != null ? options.jdbcUrl() : env.get("HERALD_JDBC_URL");
    if (url == null || url.isBlank()) {
      throw new UsageException("--id needs --jdbc-url or HERALD_JDBC_URL");
    }
    return url;
  }

  /** The stored row's columns (if any), overridden by the columns given as flags. */
  static RuleSpec merge(RuleSpec base, PreviewOptions o) {
    Map<String, String> c = o.ruleColumns();
    String frequency = c.getOrDefault("frequency", base == null ? null : base.frequency());
    if (frequency == null) {
      if (c.containsKey("cron_expression") || c.containsKey("interval_unit")) {
        frequency = "custom";
      } else if (c.containsKey("scheduled_at")) {
        frequency = "once";
      }
    }
    return new RuleSpec(
        frequency,
        o.intervalValue() != null ? o.intervalValue() : base == null ? null : base.intervalValue(),
        c.getOrDefault("interval_unit", base == null ? null : base.intervalUnit()),
        c.getOrDefault("cron_expression", base == null ? null : base.cronExpression()),
        c.getOrDefault("time_of_day", base == null ? null : base.timeOfDay()),
        o.daysOfWeek() != null ? o.daysOfWeek() : base == null ? null : base.daysOfWeek(),
        o.dayOfMonth() != null ? o.dayOfMonth() : base == null ? null : base.dayOfMonth(),
        c.getOrDefault("timezone", base == null ? null : base.timezone()),
        c.getOrDefault("start_date", base == null ? null : base.startDate()),
        c.getOrDefault("end_date", base == null ? null : base.endDate()),
        o.maxExecutions() != null ? o.maxExecutions() : base == null ? null : base.maxExecutions(),
        c.getOrDefault("catch_up", base == null ? null : base.catchUp()),
        o.graceSeconds() != null
            ? o.graceSeconds()
            : base == null ? null : base.catchUpGraceSeconds(),
        c.getOrDefault("scheduled_at", base == null ? null : base.scheduledAt()));
  }

  private static void text(
      PrintStream out,
      Optional<StoredRule> stored,
      CompiledSchedule schedule,
      long executed,
      Instant after,
      int requested,
      List<Instant> occurrences) {
    ZoneId zone = schedule.zone();
    stored.ifPresent(row -> out.println("Row:      " + row.table()));
    out.println("Rule:     " + schedule.rule().describe() + " (" + zone.getId() + ")");
    StringBuilder bounds = new StringBuilder("from " + schedule.startDate());
    schedule.endDate().ifPresent(end -> bounds.append(" until ").append(end));
    if (schedule.maxExecutions().isPresent()) {
      bounds
          .append(", at most ")
          .append(schedule.maxExecutions().getAsInt())
          .append(" executions (")
          .append(executed)
          .append(" done)");
    }
    out.println("Bounds:   " + bounds);
    out.println("Catch-up: " + schedule.catchUp().wire() + ", grace " + schedule.grace());
    out.println("Next " + requested + " at or after " + after + ":");
    LocalTime wanted = timeOfDay(schedule);
    for (int i = 0; i < occurrences.size(); i++) {
      Instant occurrence = occurrences.get(i);
      ZonedDateTime local = occurrence.atZone(zone);
      String note = "";
      if (wanted != null && !local.toLocalTime().equals(wanted)) {
        note = "  (" + wanted + " does not exist that day: DST gap, moved forward)";
      }
      DateTimeFormatter format =
          local.getSecond() == 0 && local.getNano() == 0 ? LOCAL : LOCAL_WITH_SECONDS;
      out.printf(Locale.ROOT, "%4d  %-21s  %s%s%n", i + 1, occurrence, format.format(local), note);
    }
    if (occurrences.size() < requested) {
      out.println(
          occurrences.isEmpty()
              ? "No occurrences: the schedule has ended (end date or max executions)."
              : "No further occurrences: the schedule ends here.");
    }
  }

  private static LocalTime timeOfDay(CompiledSchedule schedule) {
    if (schedule.rule() instanceof Daily daily) {
      return daily.timeOfDay();
    }
    if (schedule.rule() instanceof Weekly weekly) {
      return weekly.timeOfDay();
    }
    if (schedule.rule() instanceof Monthly monthly) {
      return monthly.timeOfDay();
    }
    return null;
  }

  /**
   * A JSON array of {"utc": ..., "local": ...}; every value is a java.time rendering, no escaping
   * needed.
   */
  static String json(List<Instant> occurrences, ZoneId zone) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < occurrences.size(); i++) {
      Instant occurrence = occurrences.get(i);
      json.append(i == 0 ? "" : ",")
          .append("\n  {\"utc\": \"")
          .append(occurrence)
          .append("\", \"local\": \"")
          .append(occurrence.atZone(zone))
          .append("\"}");
    }
    return json.append(occurrences.isEmpty() ? "]" : "\n]").toString();
  }

  private static int usageError(PrintStream err, String message) {
    err.println("preview: " + message);
    err.println(USAGE);
    return INVALID;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
