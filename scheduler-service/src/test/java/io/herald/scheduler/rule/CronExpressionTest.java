package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {

  private static List<LocalDateTime> next(String expression, String from, int n) {
    CronExpression cron = CronExpression.parse(expression);
    List<LocalDateTime> result = new ArrayList<>();
    LocalDateTime cursor = LocalDateTime.parse(from);
    for (int i = 0; i < n; i++) {
      LocalDateTime match = cron.nextMatchAtOrAfter(cursor);
      result.add(match);
      cursor = match.plusMinutes(1);
    }
    return result;
  }

  private static List<LocalDateTime> times(String spaceSeparated) {
    return Arrays.stream(spaceSeparated.trim().split("\\s+")).map(LocalDateTime::parse).toList();
  }

  @Nested
  class Matching {

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            */15 * * * *        | 2026-03-04T10:07 | 2026-03-04T10:15 2026-03-04T10:30 2026-03-04T10:45 2026-03-04T11:00
            5/20 * * * *        | 2026-03-04T10:07 | 2026-03-04T10:25 2026-03-04T10:45 2026-03-04T11:05
            0 9-17/4 * * *      | 2026-03-04T10:00 | 2026-03-04T13:00 2026-03-04T17:00 2026-03-05T09:00
            0 9 * * MON-FRI     | 2026-03-06T10:00 | 2026-03-09T09:00 2026-03-10T09:00
            0 9 * * mon,wed     | 2026-03-04T09:00 | 2026-03-04T09:00 2026-03-09T09:00 2026-03-11T09:00
            0 9 * * 7           | 2026-03-04T00:00 | 2026-03-08T09:00 2026-03-15T09:00
            0 9 * * 5-7         | 2026-03-04T00:00 | 2026-03-06T09:00 2026-03-07T09:00 2026-03-08T09:00 2026-03-13T09:00
            0 0 1 JAN,jul *     | 2026-03-04T00:00 | 2026-07-01T00:00 2027-01-01T00:00
            30 4 1,15 * 5       | 2026-03-01T00:00 | 2026-03-01T04:30 2026-03-06T04:30 2026-03-13T04:30 2026-03-15T04:30 2026-03-20T04:30
            0 0 */10 * 1        | 2026-03-01T00:00 | 2026-05-11T00:00 2026-06-01T00:00 2026-08-31T00:00
            0 12 29 2 *         | 2026-01-01T00:00 | 2028-02-29T12:00 2032-02-29T12:00
            0 12 29 2 *         | 2096-03-01T00:00 | 2104-02-29T12:00
            59 23 31 12 *       | 2026-12-31T23:59 | 2026-12-31T23:59 2027-12-31T23:59
            @hourly             | 2026-03-04T10:00:01 | 2026-03-04T11:00 2026-03-04T12:00
            @weekly             | 2026-03-04T00:00 | 2026-03-08T00:00 2026-03-15T00:00
            @monthly            | 2026-03-04T00:00 | 2026-04-01T00:00 2026-05-01T00:00
            @yearly             | 2026-03-04T00:00 | 2027-01-01T00:00
            0,30 8 * * *        | 2026-03-04T08:15 | 2026-03-04T08:30 2026-03-05T08:00
            """)
    void shouldListMatchesInOrderWhenExpressionUsesListsRangesStepsAndNames(
        String expression, String from, String expected) {
      assertThat(next(expression, from, times(expected).size())).isEqualTo(times(expected));
    }

    @Test
    void shouldMatchEitherDayFieldWhenBothAreRestricted() {
      CronExpression cron = CronExpression.parse("0 0 13 * FRI");

      assertThat(cron.matches(LocalDateTime.parse("2026-03-13T00:00"))).as("Friday 13th").isTrue();
      assertThat(cron.matches(LocalDateTime.parse("2026-04-13T00:00"))).as("Monday 13th").isTrue();
      assertThat(cron.matches(LocalDateTime.parse("2026-03-20T00:00"))).as("Friday 20th").isTrue();
      assertThat(cron.matches(LocalDateTime.parse("2026-03-19T00:00")))
          .as("Thursday 19th")
          .isFalse();
    }

    @Test
    void shouldRequireBothDayFieldsWhenOneStartsWithStarLikeVixieCron() {
      CronExpression cron = CronExpression.parse("0 0 */2 * FRI");

      assertThat(cron.matches(LocalDateTime.parse("2026-03-13T00:00"))).as("odd Friday").isTrue();
      assertThat(cron.matches(LocalDateTime.parse("2026-03-20T00:00"))).as("even Friday").isFalse();
      assertThat(cron.matches(LocalDateTime.parse("2026-03-15T00:00"))).as("odd Sunday").isFalse();
    }

    @Test
    void shouldIgnoreSecondsWhenMatching() {
      assertThat(
              CronExpression.parse("30 9 * * *")
                  .matches(LocalDateTime.parse("2026-03-04T09:30:59")))
          .isTrue();
    }

    @Test
    void shouldRoundUpToNextMinuteWhenFromHasSeconds() {
      assertThat(next("* * * * *", "2026-03-04T23:59:01", 1))
          .containsExactly(LocalDateTime.parse("2026-03-05T00:00"));
    }
  }

  @Nested
  class Parsing {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            61 * * * *      | minute 61 out of range 0–59
            * 24 * * *      | hour 24 out of range 0–23
            * * 0 * *       | day-of-month 0 out of range 1–31
            * * * 13 *      | month 13 out of range 1–12
            * * * * 8       | day-of-week 8 out of range 0–7
            * * * FOO *     | month 'FOO': 'FOO' is not a number or a name (JAN–DEC)
            * * * * Funday  | day-of-week 'Funday': 'Funday' is not a number or a name (SUN–SAT)
            x * * * *       | minute 'x': 'x' is not a number
            */0 * * * *     | minute '*/0': step 0 must be at least 1
            */x * * * *     | minute '*/x': step 'x' is not a number
            1,,2 * * * *    | minute '1,,2': empty list item
            * 22-2 * * *    | hour range 22-2 is reversed; write it as two ranges, e.g. 22-23,0-2
            0 0 ? * MON     | day-of-month '?': '?' is Quartz syntax, use '*'
            0 0 * *         | expected 5 fields (minute hour day-of-month month day-of-week), got 4
            0 0 0 * * *     | expected 5 fields (minute hour day-of-month month day-of-week), got 6
            @reboot         | unknown macro @reboot (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)
            0 0 31 4,6 *    | never matches a date (day-of-month 31 in month 4,6)
            """)
    void shouldExplainTheProblemWhenExpressionIsInvalid(String expression, String problem) {
      List<String> problems = new ArrayList<>();

      assertThat(CronExpression.parse(expression, problems::add)).isNull();
      assertThat(problems).containsExactly(problem);
    }

    @Test
    void shouldReportEveryFieldWhenSeveralAreInvalid() {
      List<String> problems = new ArrayList<>();

      CronExpression.parse("60 25 32 0 9", problems::add);

      assertThat(problems)
          .containsExactly(
              "minute 60 out of range 0–59",
              "hour 25 out of range 0–23",
              "day-of-month 32 out of range 1–31",
              "month 0 out of range 1–12",
              "day-of-week 9 out of range 0–7");
    }

    @Test
    void shouldThrowWithAllProblemsWhenParsingOutsideCompilation() {
      assertThatThrownBy(() -> CronExpression.parse("60 25 * * *"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "cron expression '60 25 * * *': minute 60 out of range 0–59; hour 25 out of range"
                  + " 0–23");
    }

    @Test
    void shouldBeEqualWhenExpressionsMeanTheSame() {
      assertThat(CronExpression.parse("0 9 * * MON-FRI"))
          .isEqualTo(CronExpression.parse("0 9 * * 1-5"));
      assertThat(CronExpression.parse("0 0 * * 7")).isEqualTo(CronExpression.parse("0 0 * * SUN"));
    }
  }
}
