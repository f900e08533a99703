package io.herald.deploy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Just enough of PromQL to list what an expression reads: the metric names of its selectors, the
 * label names its matchers use, and the labels it groups by. Function and aggregation names,
 * keywords, strings, numbers, durations and range/subquery brackets are not metric names.
 */
final class PromQl {

  /** A vector selector: {@code name{label="..."}}. */
  record Selector(String metric, Set<String> labels) {}

  /** What an expression reads. */
  record Reads(List<Selector> selectors, Set<String> groupingLabels) {}

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "inf",
          "nan",
          "atan2");

  /** Aggregation operators: may be followed by "by (...)" before their parenthesis. */
  private static final Set<String> AGGREGATIONS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");

  private static final Set<String> GROUPING =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private PromQl() {}

  static Reads parse(String expr) {
    List<Selector> selectors = new ArrayList<>();
    Set<String> grouping = new LinkedHashSet<>();
    int i = 0;
    int n = expr.length();
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '[') {
        i = skipTo(expr, i, ']');
      } else if (c == '#') {
        i = skipTo(expr, i, '\n');
      } else if (c == '{') {
        // A selector without a metric name ({__name__=...}): not supported on purpose.
        int end = skipTo(expr, i, '}');
        throw new IllegalArgumentException(
            "selector without a metric name at " + i + ": " + expr.substring(i, end));
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
        while (i < n
            && (Character.isLetterOrDigit(expr.charAt(i))
                || expr.charAt(i) == '.'
                || expr.charAt(i) == '_')) {
          i++; // numbers, durations, 1e3, 0x1F
        }
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(expr.charAt(i))
                || expr.charAt(i) == '_'
                || expr.charAt(i) == ':')) {
          i++;
        }
        String word = expr.substring(start, i);
        int next = skipSpace(expr, i);
        String lower = word.toLowerCase(java.util.Locale.ROOT);
        if (GROUPING.contains(lower)) {
          if (next < n && expr.charAt(next) == '(') {
            int end = skipTo(expr, next, ')');
            for (String l : expr.substring(next + 1, end - 1).split(",")) {
              if (!l.isBlank()) {
                grouping.add(l.trim());
              }
            }
            i = end;
          }
        } else if (KEYWORDS.contains(lower)) {
          if (lower.equals("offset")) {
            i = skipSpace(expr, i);
            while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '-')) {
              i++;
            }
          }
        } else if (AGGREGATIONS.contains(lower)
            && next < n
            && (expr.charAt(next) == '(' || Character.isLetter(expr.charAt(next)))) {
          i = next; // sum by (le) (...): the grouping is handled as the next word
        } else if (next < n && expr.charAt(next) == '(') {
          i = next; // a function or an aggregation: its arguments are scanned as they come
        } else {
          Set<String> labels = new LinkedHashSet<>();
          if (next < n && expr.charAt(next) == '{') {
            int end = skipTo(expr, next, '}');
            labels.addAll(matcherLabels(expr.substring(next + 1, end - 1)));
            i = end;
          }
          selectors.add(new Selector(word, labels));
        }
      } else {
        i++;
      }
    }
    return new Reads(selectors, grouping);
  }

  private static List<String> matcherLabels(String body) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(body, i);
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < body.length()
            && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) {
          i++;
        }
        out.add(body.substring(start, i));
      } else {
        i++;
      }
    }
    return out;
  }

  private static int skipString(String s, int i) {
    char quote = s.charAt(i);
    i++;
    while (i < s.length() && s.charAt(i) != quote) {
      if (s.charAt(i) == '\\' && quote != '`') {
        i++;
      }
      i++;
    }
    return i + 1;
  }

  /** Index just past the matching close character (nesting and strings respected). */
  private static int skipTo(String s, int i, char close) {
    char open = s.charAt(i);
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if ((c == '"' || c == '\'' || c == '`') && close != '\n') {
        i = skipString(s, i);
        continue;
      }
      if (c == open && open != close) {
        depth++;
      } else if (c == close) {
        depth--;
        if (depth <= 0 || open == close) {
          return i + 1;
        }
      }
      i++;
    }
    if (close == '\n') {
      return s.length();
    }
    throw new IllegalArgumentException("unbalanced '" + open + "' in: " + s);
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }
}
