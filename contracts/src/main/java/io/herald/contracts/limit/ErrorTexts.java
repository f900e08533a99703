package io.herald.contracts.limit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Error texts whose size does not grow with the input that caused them: a reason is clipped, a list
 * names its first reasons and counts the rest ("and N more"), a quoted user value is cut short, and
 * control characters (NUL included, which PostgreSQL's text type refuses) become spaces. Pure.
 */
public final class ErrorTexts {

  private static final String ELLIPSIS = "…";
  private static final Pattern MORE = Pattern.compile("and \\d+ more");

  private ErrorTexts() {}

  /** {@code s} without control characters, at most {@code max} characters; "" for null. */
  public static String clip(String s, int max) {
    if (s == null) {
      return "";
    }
    int limit = Math.max(1, max);
    StringBuilder out = new StringBuilder(Math.min(s.length(), limit));
    int i = 0;
    int kept = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int width = Character.charCount(cp);
      if (kept + width > limit) {
        // Room for the ellipsis: the result stays within max.
        while (out.length() > 0 && out.length() + ELLIPSIS.length() > limit) {
          out.setLength(out.length() - 1);
          if (out.length() > 0 && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
            out.setLength(out.length() - 1);
          }
        }
        out.append(ELLIPSIS);
        return out.toString();
      }
      if (Character.isISOControl(cp)
          || cp == '\u2028'
          || cp == '\u2029'
          || (Character.isSurrogate((char) cp) && width == 1)) {
        out.append(' ');
      } else {
        out.appendCodePoint(cp);
      }
      kept += width;
      i += width;
    }
    return out.toString();
  }

  /** One reason: clipped to {@link Limits#ERROR_REASON_MAX_CHARS}. */
  public static String reason(String s) {
    return clip(s, Limits.ERROR_REASON_MAX_CHARS);
  }

  /** A user value to quote inside a reason: {@code 'value'}, cut to a few dozen characters. */
  public static String quote(String value) {
    return value == null ? "null" : "'" + clip(value, Limits.ECHO_MAX_CHARS) + "'";
  }

  /**
   * The first {@link Limits#ERROR_REASONS_LISTED} reasons, each clipped, then one entry "and N
   * more" when there were more.
   */
  public static List<String> reasons(List<String> reasons) {
    if (reasons == null || reasons.isEmpty()) {
      return List.of();
    }
    if (reasons.size() == Limits.ERROR_REASONS_LISTED + 1
        && MORE.matcher(reasons.get(Limits.ERROR_REASONS_LISTED)).matches()) {
      // Already capped (a record read back): keep its count, do not count the tail as a reason.
      List<String> out = new ArrayList<>(reasons.size());
      reasons.forEach(r -> out.add(reason(r)));
      return List.copyOf(out);
    }
    int listed = Math.min(reasons.size(), Limits.ERROR_REASONS_LISTED);
    List<String> out = new ArrayList<>(listed + 1);
    for (int i = 0; i < listed; i++) {
      out.add(reason(reasons.get(i)));
    }
    if (reasons.size() > listed) {
      out.add("and " + (reasons.size() - listed) + " more");
    }
    return List.copyOf(out);
  }

  /**
   * The reasons joined with "; " as one text of at most {@link Limits#ERROR_TEXT_MAX_CHARS}: the
   * first reasons, then "and N more".
   */
  public static String join(List<String> reasons) {
    if (reasons == null || reasons.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (; i < reasons.size() && i < Limits.ERROR_REASONS_LISTED; i++) {
      String r = reason(reasons.get(i));
      String more = "; and " + (reasons.size() - i) + " more";
      int needed = (out.length() == 0 ? 0 : 2) + r.length();
      // Keep room for the "and N more" tail whenever something would still follow.
      int tail = i + 1 < reasons.size() ? more.length() : 0;
      if (out.length() + needed + tail > Limits.ERROR_TEXT_MAX_CHARS) {
        break;
      }
      if (out.length() > 0) {
        out.append("; ");
      }
      out.append(r);
    }
    if (i < reasons.size()) {
      out.append(out.length() == 0 ? "" : "; ")
          .append("and ")
          .append(reasons.size() - i)
          .append(" more");
    }
    return out.toString();
  }

  /** Any error text (a message, an exception's message): clipped to the whole-text bound. */
  public static String text(String s) {
    return clip(s, Limits.ERROR_TEXT_MAX_CHARS);
  }
}
