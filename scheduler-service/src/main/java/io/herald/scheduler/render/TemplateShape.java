package io.herald.scheduler.render;

import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a template, independent of any recipient: which braces pair up, whether the nesting
 * and the number of groups stay within {@link Limits}, and the longest text it can render to. What
 * the validator asks before a definition is accepted; {@link TemplateRenderer} uses the same brace
 * table to render. Linear time and no recursion over the template's length, whatever the template.
 */
final class TemplateShape {

  private TemplateShape() {}

  /**
   * Problems of {@code template} a user can act on, empty when there are none: braces nested deeper
   * than {@link Limits#TEMPLATE_MAX_DEPTH} or more brace groups than {@link
   * Limits#TEMPLATE_MAX_GROUPS}. Only matched braces count: an unmatched brace is legal and renders
   * verbatim. Linear time, no recursion, whatever the template.
   */
  static List<String> check(String template) {
    if (template == null || template.indexOf('{') < 0) {
      return List.of();
    }
    int[] match = matchBraces(template);
    int depth = 0;
    int deepest = 0;
    int groups = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '{' && match[i] >= 0) {
        groups++;
        deepest = Math.max(deepest, ++depth);
      } else if (c == '}' && match[i] >= 0) {
        depth--;
      }
    }
    List<String> problems = new ArrayList<>(2);
    if (deepest > Limits.TEMPLATE_MAX_DEPTH) {
      problems.add(
          "message nests braces "
              + deepest
              + " deep, at most "
              + Limits.TEMPLATE_MAX_DEPTH
              + " allowed");
    }
    if (groups > Limits.TEMPLATE_MAX_GROUPS) {
      problems.add(
          "message has "
              + groups
              + " brace groups, at most "
              + Limits.TEMPLATE_MAX_GROUPS
              + " allowed");
    }
    return ErrorTexts.reasons(problems);
  }

  /**
   * The longest text {@code template} can render to for any recipient, in characters, with every
   * variable at its documented bound ({@link Limits}): the name and first name at a contact name's
   * bound, the phone at a recipient's, the date parts at their widest, any other short group name
   * at a field value's bound (or verbatim, whichever is longer), and each spintax group at its
   * longest option. What the validator compares with WhatsApp's limit, so that a message that can
   * render too long is rejected with the definition, not found out at fire time. Linear in the
   * template for each nesting level; groups deeper than {@link Limits#TEMPLATE_MAX_DEPTH} count
   * verbatim, as they render.
   */
  static long maxRenderedChars(String template) {
    if (template == null || template.isEmpty()) {
      return 0;
    }
    if (template.indexOf('{') < 0) {
      return template.codePointCount(0, template.length());
    }
    return maxRange(template, matchBraces(template), 0, template.length(), 1);
  }

  private static long maxRange(String t, int[] match, int from, int to, int depth) {
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c == '{' && match[i] < 0) {
        // As the renderer does: an unmatched '{' (only ever at the top level) and everything after
        // it stay verbatim, groups included.
        return n + t.codePointCount(i, to);
      } else if (c == '{' && match[i] > i && match[i] < to) {
        n += maxGroup(t, match, i, match[i], depth);
        i = match[i];
      } else if (!Character.isLowSurrogate(c)) {
        n++;
      }
    }
    return n;
  }

  private static long maxGroup(String t, int[] match, int open, int close, int depth) {
    if (depth > Limits.TEMPLATE_MAX_DEPTH) {
      return t.codePointCount(open, close + 1);
    }
    long longest = 0;
    int options = 0;
    int start = open + 1;
    for (int k = open + 1; k <= close; k++) {
      char c = t.charAt(k);
      if (c == '{' && k < close && match[k] > k) {
        k = match[k];
      } else if (c == '|' || k == close) {
        options++;
        longest = Math.max(longest, maxRange(t, match, start, k, depth + 1));
        start = k + 1;
      }
    }
    if (options > 1) {
      return longest;
    }
    long verbatim = 2 + longest; // an unknown variable keeps its braces around what it renders
    String trimmed =
        close - open - 1 <= 2 * Limits.CONTACT_FIELD_KEY_MAX_CHARS
            ? t.substring(open + 1, close).trim()
            : null;
    if (trimmed == null || trimmed.indexOf('{') >= 0) {
      return verbatim;
    }
    String name = trimmed.toLowerCase(Locale.ROOT);
    switch (name) {
      case "name":
      case "first_name":
        return Limits.CONTACT_NAME_MAX_CHARS;
      case "phone":
        return Limits.RECIPIENT_MAX_CHARS;
      case "date":
        return 10;
      case "time":
        return 5;
      case "day":
      case "month":
        return 9;
      case "year":
        return 6;
      default:
        // A field matches as written or lower-cased, and lower-casing can double a name (U+0130
        // becomes two chars): a 64-char field name matches a group of up to 128 chars.
        return trimmed.length() <= Limits.CONTACT_FIELD_KEY_MAX_CHARS
                || name.length() <= 2 * Limits.CONTACT_FIELD_KEY_MAX_CHARS
            ? Math.max(verbatim, Limits.CONTACT_FIELD_VALUE_MAX_CHARS)
            : verbatim;
    }
  }

  /**
   * For each '{' and '}' of {@code s}, the index of its partner, or -1 when it has none; other
   * entries are unspecified. One pass: the '{' still open form a stack chained through the array
   * itself (each holds the index of the one below it), so there is no recursion and no second
   * array. A '{' matches exactly as a forward scan counting depth from it would.
   */
  static int[] matchBraces(String s) {
    int[] match = new int[s.length()];
    int top = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        match[i] = top;
        top = i;
      } else if (c == '}') {
        if (top < 0) {
          match[i] = -1;
        } else {
          int open = top;
          top = match[open];
          match[open] = i;
          match[i] = open;
        }
      }
    }
    while (top >= 0) {
      int below = match[top];
      match[top] = -1;
      top = below;
    }
    return match;
  }
}
