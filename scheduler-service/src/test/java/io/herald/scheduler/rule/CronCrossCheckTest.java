package io.herald.scheduler.rule;

import static org.assertj.core.api.Assertions.assertThat;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our cron against cron-utils (UNIX definition), an implementation we did not write, on wall times
 * (UTC has no DST, so only the field semantics are compared; DST is {@link DstTableTest}'s job).
 *
 * <p>Known, deliberate difference: Vixie cron treats a day field that starts with {@code *} (such
 * as {@code *}{@code /2}) as unrestricted when deciding between "both day fields must match" and
 * "either may match"; cron-utils does not. Generated expressions therefore keep {@code *}{@code /n}
 * out of the day fields; {@link CronExpressionTest} pins our behaviour there.
 */
class CronCrossCheckTest {

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private static List<LocalDateTime> ours(String expression, LocalDateTime from, int n) {
    CronExpression cron = CronExpression.parse(expression);
    List<LocalDateTime> result = new ArrayList<>();
    LocalDateTime cursor = from.plusMinutes(1);
    for (int i = 0; i < n; i++) {
      LocalDateTime match = cron.nextMatchAtOrAfter(cursor);
      if (match == null) {
        break;
      }
      result.add(match);
      cursor = match.plusMinutes(1);
    }
    return result;
  }

  private static List<LocalDateTime> theirs(String expression, LocalDateTime from, int n) {
    ExecutionTime execution = ExecutionTime.forCron(UNIX.parse(expression));
    List<LocalDateTime> result = new ArrayList<>();
    ZonedDateTime cursor = from.atZone(ZoneOffset.UTC);
    for (int i = 0; i < n; i++) {
      ZonedDateTime next = execution.nextExecution(cursor).orElse(null);
      if (next == null) {
        break;
      }
      result.add(next.toLocalDateTime());
      cursor = next;
    }
    return result;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "* * * * *",
        "*/7 * * * *",
        "0 */3 * * *",
        "15,45 9-17 * * 1-5",
        "0 9 * * MON-FRI",
        "0 0 1,15 * *",
        "30 4 1,15 * 5",
        "0 0 13 * 5",
        "0 12 28-31 * *",
        "0 0 29 2 *",
        "0 0 31 * *",
        "5 4 * * SUN",
        "0 22 * * 1-5",
        "23 0-20/2 * * *",
        "0 0,12 1 */2 *",
        "0 4 8-14 * *",
        "0 0 * JAN,APR,JUL,OCT *",
        "10-20/5 3 * * 6",
      })
  void shouldAgreeWithCronUtilsWhenExpressionIsCommon(String expression) {
    LocalDateTime from = LocalDateTime.of(2026, 1, 1, 0, 0);

    assertThat(ours(expression, from, 60)).isEqualTo(theirs(expression, from, 60));
  }

  @Provide
  Arbitrary<String> expressions() {
    return Combinators.combine(
            field(0, 59, false),
            field(0, 23, false),
            dayField(1, 31),
            field(1, 12, false),
            dayField(0, 6))
        .as((mi, h, dom, mo, dow) -> String.join(" ", mi, h, dom, mo, dow))
        .filter(
            e -> {
              List<String> ignored = new ArrayList<>();
              return CronExpression.parse(e, ignored::add) != null;
            });
  }

  private static Arbitrary<String> dayField(int min, int max) {
    return Arbitraries.oneOf(Arbitraries.just("*"), field(min, max, true));
  }

  /** A field as a list of one to three items: value, range, stepped range or stepped star. */
  private static Arbitrary<String> field(int min, int max, boolean noStarStep) {
    Arbitrary<Integer> value = Arbitraries.integers().between(min, max);
    Arbitrary<String> single = value.map(String::valueOf);
    Arbitrary<String> range =
        Combinators.combine(value, value).as((a, b) -> Math.min(a, b) + "-" + Math.max(a, b));
    Arbitrary<String> steppedRange =
        Combinators.combine(range, Arbitraries.integers().between(1, Math.max(1, max / 2)))
            .as((r, s) -> r + "/" + s);
    Arbitrary<String> starStep =
        Arbitraries.integers().between(1, Math.max(1, max / 2)).map(s -> "*/" + s);
    Arbitrary<String> item =
        noStarStep
            ? Arbitraries.oneOf(single, range, steppedRange)
            : Arbitraries.oneOf(single, range, steppedRange, starStep);
    Arbitrary<String> list = item.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(",", l));
    return noStarStep ? list : Arbitraries.oneOf(Arbitraries.just("*"), list);
  }

  @Property(tries = 200)
  void shouldAgreeWithCronUtilsWhenExpressionIsRandom(
      @ForAll("expressions") String expression,
      @ForAll @IntRange(min = 0, max = 3650) int day,
      @ForAll @IntRange(min = 0, max = 1439) int minute) {
    LocalDateTime from = LocalDate.of(2020, 1, 1).plusDays(day).atTime(minute / 60, minute % 60);

    assertThat(ours(expression, from, 30)).isEqualTo(theirs(expression, from, 30));
  }
}
