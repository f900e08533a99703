package io.herald.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreviewCommandTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  /** One run's exit status and output. */
  record Result(int status, String out, String err) {}

  private static Result run(String... args) {
    return run(Map.of(), args);
  }

  private static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        PreviewCommand.run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            CLOCK);
    return new Result(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Nested
  class ValidRule {

    @Test
    void shouldListLocalAndUtcTimesWhenRuleIsWeekly() {
      Result result =
          run(
              "preview",
              "--frequency",
              "weekly",
              "--days",
              "MON,WED",
              "--time",
              "09:00",
              "--tz",
              "America/New_York",
              "-n",
              "4");

      assertThat(result.status()).isZero();
      assertThat(result.err()).isEmpty();
      assertThat(result.out())
          .isEqualTo(
              String.join(
                  "\n",
                  "Rule:     every week on MON, WED at 09:00 (America/New_York)",
                  "Bounds:   from 2026-03-01",
                  "Catch-up: fire_once, grace PT1H",
                  "Next 4 at or after 2026-03-01T12:00:00Z:",
                  "   1  2026-03-02T14:00:00Z   Mon 2026-03-02 09:00 -05:00",
                  "   2  2026-03-04T14:00:00Z   Wed 2026-03-04 09:00 -05:00",
                  "   3  2026-03-09T13:00:00Z   Mon 2026-03-09 09:00 -04:00",
                  "   4  2026-03-11T13:00:00Z   Wed 2026-03-11 09:00 -04:00",
                  ""));
    }

    @Test
    void shouldPrintJsonArrayWhenJsonIsRequested() {
      Result result =
          run(
              "--frequency",
              "daily",
              "--time",
              "02:30",
              "--tz",
              "America/New_York",
              "--after",
              "2026-03-07T00:00:00Z",
              "-n",
              "2",
              "--json");

      assertThat(result.status()).isZero();
      assertThat(result.out())
          .isEqualTo(
              "[\n"
                  + "  {\"utc\": \"2026-03-07T07:30:00Z\", \"local\":"
                  + " \"2026-03-07T02:30-05:00[America/New_York]\"},\n"
                  + "  {\"utc\": \"2026-03-08T07:30:00Z\", \"local\":"
                  + " \"2026-03-08T03:30-04:00[America/New_York]\"}\n"
                  + "]\n");
    }

    @Test
    void shouldPrintEmptyJsonArrayWhenScheduleHasEnded() {
      Result result =
          run(
              "--frequency",
              "daily",
              "--time",
              "09:00",
              "--max-executions",
              "3",
              "--executed",
              "3",
              "--json");

      assertThat(result.status()).isZero();
      assertThat(result.out()).isEqualTo("[]\n");
    }

    @Test
    void shouldMarkGapShiftWhenTimeOfDayDoesNotExist() {
      Result result =
          run(
              "--frequency",
              "daily",
              "--time",
              "02:30",
              "--tz",
              "America/New_York",
              "--after",
              "2026-03-08T00:00:00Z",
              "-n",
              "1");

      assertThat(result.out())
          .contains(
              "   1  2026-03-08T07:30:00Z   Sun 2026-03-08 03:30 -04:00"
                  + "  (02:30 does not exist that day: DST gap, moved forward)");
    }

    @Test
    void shouldCountExecutedOccurrencesWhenMaxExecutionsIsSet() {
      Result result =
          run(
              "--frequency",
              "monthly",
              "--day-of-month",
              "-1",
              "--time",
              "18:00",
              "--start",
              "2026-01-01",
              "--max-executions",
              "5",
              "--executed",
              "3",
              "--after",
              "2026-01-01T00:00:00Z");

      assertThat(result.out())
          .contains("at most 5 executions (3 done)")
          .contains("   1  2026-01-31T18:00:00Z   Sat 2026-01-31 18:00 +00:00")
          .contains("   2  2026-02-28T18:00:00Z   Sat 2026-02-28 18:00 +00:00")
          .doesNotContain("   3  ")
          .contains("No further occurrences: the schedule ends here.");
    }

    @Test
    void shouldInferCustomWhenOnlyCronIsGiven() {
      Result result =
          run("--cron", "*/20 9 * * MON-FRI", "--tz", "Asia/Kathmandu", "-n", "3", "--json");

      assertThat(result.status()).isZero();
      assertThat(result.out())
          .contains(
              "\"utc\": \"2026-03-02T03:15:00Z\", \"local\":"
                  + " \"2026-03-02T09:00+05:45[Asia/Kathmandu]\"")
          .contains("\"local\": \"2026-03-02T09:20+05:45[Asia/Kathmandu]\"")
          .contains("\"local\": \"2026-03-02T09:40+05:45[Asia/Kathmandu]\"");
    }

    @Test
    void shouldAcceptNumericDaysAndInlineValuesWhenGiven() {
      Result named = run("--frequency=weekly", "--days=SUN,sat", "--time=07:00", "-n", "3");
      Result numbered = run("--frequency", "weekly", "--days", "0,6", "--time", "07:00", "-n", "3");

      assertThat(named.status()).isZero();
      assertThat(named.out()).isEqualTo(numbered.out());
    }

    @Test
    void shouldPrintUsageWhenHelpIsRequested() {
      Result result = run("--help");

      assertThat(result.status()).isZero();
      assertThat(result.out()).startsWith("Usage: preview").contains("--executed K");
    }
  }

  @Nested
  class InvalidInput {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "--dry-run|--dry-run needs --id: it shows a stored definition",
          "--id 00000000-0000-0000-0000-000000000001 --limit 3|--limit goes with --dry-run (use -n"
              + " for occurrences)",
          "--id 00000000-0000-0000-0000-000000000001 --dry-run --limit 0|--limit 0 must be between"
              + " 1 and 100",
          "--id 00000000-0000-0000-0000-000000000001 --dry-run --json|--dry-run prints text only;"
              + " drop --json",
          "--id 00000000-0000-0000-0000-000000000001 --dry-run --tz UTC|--dry-run shows the stored"
              + " rule; rule options cannot change it",
        })
    void shouldExitTwoWithOneLineWhenDryRunArgumentsAreWrong(String args, String message) {
      Result result = run(args.split(" "));

      assertThat(result.status()).isEqualTo(2);
      assertThat(result.err().lines().findFirst()).contains("preview: " + message);
    }

    @Test
    void shouldPrintEveryReasonAndExitTwoWhenRuleIsInvalid() {
      Result result =
          run(
              "--frequency",
              "weekly",
              "--time",
              "25:00",
              "--tz",
              "Asia/Jakart",
              "--days",
              "7",
              "--interval",
              "0",
              "--start",
              "2026-02-01",
              "--end",
              "2026-01-01");

      assertThat(result.status()).isEqualTo(2);
      assertThat(result.out()).isEmpty();
      assertThat(result.err().lines().toList())
          .containsExactly(
              "timezone 'Asia/Jakart' is not an IANA zone (did you mean Asia/Jakarta?)",
              "interval_value 0 must be at least 1",
              "time_of_day '25:00' is not a time of day HH:mm or HH:mm:ss (00:00–23:59)",
              "days_of_week value 7 is out of range 0–6 (0 = Sunday … 6 = Saturday)",
              "end_date 2026-01-01 is before start_date 2026-02-01");
    }

    @Test
    void shouldPrintCronReasonWhenCronIsInvalid() {
      Result result = run("--frequency", "custom", "--cron", "61 * * * *");

      assertThat(result.status()).isEqualTo(2);
      assertThat(result.err())
          .isEqualTo("cron_expression '61 * * * *': minute 61 out of range 0–59\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            --frequency daily --time 09:00 -n x      | preview: -n 'x' is not a whole number
            --frequency daily --time 09:00 -n 0      | preview: -n 0 must be between 1 and 10000
            --frequency daily --time                 | preview: --time needs a value
            --frequency daily --bogus 1              | preview: unknown option --bogus
            --frequency daily extra                  | preview: unexpected argument 'extra'
            --frequency weekly --days MON,FUNDAY     | preview: --days 'MON,FUNDAY': 'FUNDAY' is not a day (SUN…SAT or 0…6, 0 = Sunday)
            --frequency daily --after yesterday      | preview: --after 'yesterday' is not an ISO-8601 instant such as 2026-03-08T09:00:00Z
            --frequency daily --executed -1          | preview: --executed -1 must not be negative
            --id not-a-uuid                          | preview: --id 'not-a-uuid' is not a UUID
            --id 6f1c1b2a-1111-4222-8333-944455556666 | preview: --id needs --jdbc-url or HERALD_JDBC_URL
            """)
    void shouldPrintOneLineErrorAndUsageWhenArgumentsAreBad(String args, String error) {
      Result result = run(args.trim().split("\\s+"));

      assertThat(result.status()).isEqualTo(2);
      assertThat(result.out()).isEmpty();
      List<String> lines = result.err().lines().toList();
      assertThat(lines.get(0)).isEqualTo(error);
      assertThat(lines.get(1)).startsWith("Usage: preview");
      assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void shouldReportUnreachableDatabaseWithoutStackTraceWhenIdIsGiven() {
      Result result =
          run(
              Map.of("HERALD_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/herald?connectTimeout=1"),
              "--id",
              "6f1c1b2a-1111-4222-8333-944455556666");

      assertThat(result.status()).isEqualTo(1);
      assertThat(result.err())
          .startsWith("preview: cannot read schedule 6f1c1b2a-1111-4222-8333-944455556666: ")
          .doesNotContain("\tat ");
      assertThat(result.err().lines()).hasSize(1);
    }
  }
}
