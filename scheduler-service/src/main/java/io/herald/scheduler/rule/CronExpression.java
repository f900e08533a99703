package io.herald.scheduler.rule;

import static io.herald.contracts.limit.ErrorTexts.quote;

import io.herald.contracts.limit.ErrorTexts;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A standard 5-field cron expression ({@code minute hour day-of-month month day-of-week}) with
 * lists, ranges, steps, month and weekday names and the {@code @daily}-style macros, matched
 * against local wall time. Immutable; each field is a bit set so matching allocates nothing.
 *
 * <p>Day matching follows Vixie cron (and POSIX): when both day fields are restricted the day
 * matches if <em>either</em> does; a field counts as unrestricted when it starts with {@code *} (so
 * {@code *}{@code /2} is "unrestricted" too, exactly as in Vixie cron). Day-of-week 7 is Sunday
 * like 0. A single value with a step ({@code 5/15}) means "from 5 to the maximum".
 */
public final class CronExpression {

  /** Far enough to reach 29 February across a non-leap century year (2096 to 2104). */
  private static final int MAX_DAYS_SEARCHED = 9 * 366;

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  private static final List<String> MONTH_NAMES =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAY_NAMES =
      List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private enum Field {
    MINUTE("minute", 0, 59, List.of()),
    HOUR("hour", 0, 23, List.of()),
    DAY_OF_MONTH("day-of-month", 1, 31, List.of()),
    MONTH("month", 1, 12, MONTH_NAMES),
    DAY_OF_WEEK("day-of-week", 0, 7, DAY_NAMES);

    final String label;
    final int min;
    final int max;
    final List<String> names;

    Field(String label, int min, int max, List<String> names) {
      this.label = label;
      this.min = min;
      this.max = max;
      this.names = names;
    }

    int nameOffset() {
      return this == MONTH ? 1 : 0;
    }
  }

  private final String source;
  private final long minutes;
  private final int hours;
  private final int daysOfMonth;
  private final int months;
  private final int daysOfWeek;
  private final boolean dayOfMonthStar;
  private final boolean dayOfWeekStar;

  private CronExpression(
      String source,
      long minutes,
      int hours,
      int daysOfMonth,
      int months,
      int daysOfWeek,
      boolean dayOfMonthStar,
      boolean dayOfWeekStar) {
    this.source = source;
    this.minutes = minutes;
    this.hours = hours;
    this.daysOfMonth = daysOfMonth;
    this.months = months;
    this.daysOfWeek = daysOfWeek;
    this.dayOfMonthStar = dayOfMonthStar;
    this.dayOfWeekStar = dayOfWeekStar;
  }

  /**
   * Parses {@code source}, or throws {@link IllegalArgumentException} naming every problem. Rule
   * compilation uses {@link #parse(String, Consumer)} instead, to report problems as reasons.
   */
  public static CronExpression parse(String source) {
    List<String> problems = new ArrayList<>();
    CronExpression parsed = parse(source, problems::add);
    if (parsed == null) {
      throw new IllegalArgumentException(
          "cron expression " + quote(source) + ": " + ErrorTexts.join(problems));
    }
    return parsed;
  }

  /**
   * Parses {@code source}; on failure reports each problem (without the source) and returns null.
   */
  static CronExpression parse(String source, Consumer<String> problems) {
    if (source == null || source.isBlank()) {
      problems.accept("is empty");
      return null;
    }
    String text = source.trim();
    if (text.startsWith("@")) {
      String expanded = MACROS.get(text.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        problems.accept(
            "unknown macro "
                + text
                + " (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)");
        return null;
      }
      text = expanded;
    }
    String[] parts = text.split("\\s+");
    if (parts.length != 5) {
      problems.accept(
          "expected 5 fields (minute hour day-of-month month day-of-week), got " + parts.length);
      return null;
    }
    boolean[] failed = {false};
    Consumer<String> tracking =
        problem -> {
          failed[0] = true;
          problems.accept(problem);
        };
    long minuteBits = parseField(parts[0], Field.MINUTE, tracking);
    long hourBits = parseField(parts[1], Field.HOUR, tracking);
    long domBits = parseField(parts[2], Field.DAY_OF_MONTH, tracking);
    long monthBits = parseField(parts[3], Field.MONTH, tracking);
    long dowBits = parseField(parts[4], Field.DAY_OF_WEEK, tracking);
    if (failed[0]) {
      return null;
    }
    if ((dowBits & (1L << 7)) != 0) {
      dowBits = (dowBits | 1L) & ~(1L << 7);
    }
    CronExpression expression =
        new CronExpression(
            source.trim(),
            minuteBits,
            (int) hourBits,
            (int) domBits,
            (int) monthBits,
            (int) dowBits,
            parts[2].startsWith("*"),
            parts[4].startsWith("*"));
    if (expression.nextMatchAtOrAfter(LocalDateTime.of(2000, 1, 1, 0, 0)) == null) {
      problems.accept(
          "never matches a date (day-of-month " + parts[2] + " in month " + parts[3] + ")");
      return null;
    }
    return expression;
  }

  private static long parseField(String text, Field field, Consumer<String> problems) {
    if (text.contains("?")) {
      problems.accept(field.label + " " + quote(text) + ": '?' is Quartz syntax, use '*'");
      return 0;
    }
    long bits = 0;
    boolean ok = true;
    for (String item : text.split(",", -1)) {
      long itemBits = parseItem(item, text, field, problems);
      if (itemBits < 0) {
        ok = false;
      } else {
        bits |= itemBits;
      }
    }
    return ok ? bits : 0;
  }

  /** Bits of one list item, or -1 after reporting a problem. */
  private static long parseItem(String item, String whole, Field field, Consumer<String> problems) {
    if (item.isEmpty()) {
      problems.accept(field.label + " " + quote(whole) + ": empty list item");
      return -1;
    }
    String rangePart = item;
    int step = 1;
    boolean stepped = false;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      rangePart = item.substring(0, slash);
      String stepText = item.substring(slash + 1);
      Integer parsedStep = number(stepText);
      if (parsedStep == null) {
        problems.accept(
            field.label + " " + quote(whole) + ": step " + quote(stepText) + " is not a number");
        return -1;
      }
      if (parsedStep < 1) {
        problems.accept(
            field.label + " " + quote(whole) + ": step " + parsedStep + " must be at least 1");
        return -1;
      }
      step = parsedStep;
      stepped = true;
    }
    int low;
    int high;
    if (rangePart.equals("*")) {
      low = field.min;
      high = field.max == 7 ? 6 : field.max;
    } else {
      int dash = rangePart.indexOf('-', 1);
      String lowText = dash < 0 ? rangePart : rangePart.substring(0, dash);
      Integer lowValue = value(lowText, whole, field, problems);
      if (lowValue == null) {
        return -1;
      }
      low = lowValue;
      if (dash >= 0) {
        Integer highValue = value(rangePart.substring(dash + 1), whole, field, problems);
        if (highValue == null) {
          return -1;
        }
        high = highValue;
        if (high < low) {
          problems.accept(
              field.label
                  + " range "
                  + rangePart
                  + " is reversed; write it as two ranges, e.g. "
                  + low
                  + "-"
                  + field.max
                  + ","
                  + field.min
                  + "-"
                  + high);
          return -1;
        }
      } else {
        // A stepped single value runs to the maximum; for weekdays that is Saturday, so that the
        // alias 7 never sneaks Sunday into e.g. 1/2.
        high = stepped ? (field.max == 7 ? 6 : field.max) : low;
      }
    }
    long bits = 0;
    for (int v = low; v <= high; v += step) {
      bits |= 1L << v;
    }
    return bits;
  }

  private static Integer value(String text, String whole, Field field, Consumer<String> problems) {
    Integer n = number(text);
    if (n == null) {
      int index = field.names.indexOf(text.toUpperCase(Locale.ROOT));
      if (index < 0) {
        String expected =
            field.names.isEmpty()
                ? "a number"
                : "a number or a name ("
                    + field.names.get(0)
                    + "–"
                    + field.names.get(field.names.size() - 1)
                    + ")";
        problems.accept(
            field.label + " " + quote(whole) + ": " + quote(text) + " is not " + expected);
        return null;
      }
      return index + field.nameOffset();
    }
    if (n < field.min || n > field.max) {
      problems.accept(field.label + " " + n + " out of range " + field.min + "–" + field.max);
      return null;
    }
    return n;
  }

  private static Integer number(String text) {
    if (text.isEmpty() || text.length() > 9) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return null;
      }
    }
    return Integer.parseInt(text);
  }

  /** The expression as written (trimmed). */
  public String source() {
    return source;
  }

  /** Whether {@code wallTime} (seconds ignored) matches. */
  public boolean matches(LocalDateTime wallTime) {
    return (months & (1 << wallTime.getMonthValue())) != 0
        && dayMatches(wallTime.toLocalDate())
        && (hours & (1 << wallTime.getHour())) != 0
        && (minutes & (1L << wallTime.getMinute())) != 0;
  }

  /**
   * The first matching wall time at or after {@code from} (rounded up to a whole minute), or null
   * when there is none within nine years.
   */
  public LocalDateTime nextMatchAtOrAfter(LocalDateTime from) {
    LocalDate date = from.toLocalDate();
    int minuteOfDay = from.getHour() * 60 + from.getMinute();
    if (from.getSecond() != 0 || from.getNano() != 0) {
      minuteOfDay++;
    }
    int searched = 0;
    while (searched < MAX_DAYS_SEARCHED) {
      if ((months & (1 << date.getMonthValue())) == 0) {
        LocalDate nextMonth = date.withDayOfMonth(1).plusMonths(1);
        searched += (int) (nextMonth.toEpochDay() - date.toEpochDay());
        date = nextMonth;
        minuteOfDay = 0;
        continue;
      }
      if (dayMatches(date)) {
        int time = firstTimeAtOrAfter(minuteOfDay);
        if (time >= 0) {
          return date.atTime(time / 60, time % 60);
        }
      }
      date = date.plusDays(1);
      minuteOfDay = 0;
      searched++;
    }
    return null;
  }

  private boolean dayMatches(LocalDate date) {
    boolean dom = (daysOfMonth & (1 << date.getDayOfMonth())) != 0;
    boolean dow = (daysOfWeek & (1 << (date.getDayOfWeek().getValue() % 7))) != 0;
    return dayOfMonthStar || dayOfWeekStar ? dom && dow : dom || dow;
  }

  /** Minute of day of the first matching time at or after {@code minuteOfDay}, or -1. */
  private int firstTimeAtOrAfter(int minuteOfDay) {
    for (int hour = minuteOfDay / 60; hour < 24; hour++) {
      if ((hours & (1 << hour)) == 0) {
        continue;
      }
      int fromMinute = hour == minuteOfDay / 60 ? minuteOfDay % 60 : 0;
      long candidates = minutes & (-1L << fromMinute);
      if (candidates != 0) {
        return hour * 60 + Long.numberOfTrailingZeros(candidates);
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CronExpression that
        && minutes == that.minutes
        && hours == that.hours
        && daysOfMonth == that.daysOfMonth
        && months == that.months
        && daysOfWeek == that.daysOfWeek
        && dayOfMonthStar == that.dayOfMonthStar
        && dayOfWeekStar == that.dayOfWeekStar;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        minutes, hours, daysOfMonth, months, daysOfWeek, dayOfMonthStar, dayOfWeekStar);
  }

  @Override
  public String toString() {
    return source;
  }
}
