package io.herald.scheduler.render;

import io.herald.contracts.limit.Limits;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Renders a message template for one recipient: variables ({@code {name}}, {@code {first_name}},
 * {@code {phone}}, {@code {date}} as yyyy-MM-dd, {@code {time}} as HH:mm, {@code {day}}, {@code
 * {month}}, {@code {year}} in the schedule's zone, and any key of the contact's fields) and spintax
 * ({@code {Hi|Hello}}, nestable).
 *
 * <p>Rules: built-in variables win over fields of the same name; unknown variables and unmatched
 * braces stay verbatim; a variable name is case-insensitive. Spintax choices come from a random
 * generator seeded by {@link RenderContext#seed()} and consumed in template order, so the same
 * (template, seed) always renders the same text: a re-fire is byte-identical.
 *
 * <p>Any template is safe to render, whatever its size or nesting (a tenant once sent 40 KB of
 * nested braces): time is linear in the template's length plus the output's, and the call stack is
 * bounded. Braces are matched once with an explicit stack; a group nested deeper than {@link
 * Limits#TEMPLATE_MAX_DEPTH} (only in a template stored before that bound was validated) renders
 * verbatim instead of being expanded.
 */
public final class TemplateRenderer {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");

  /** Length of the longest built-in variable name, "first_name". */
  private static final int BUILT_IN_NAME_MAX_CHARS = 10;

  /** The bound of {@link #render(String, RenderContext)}: none, so nothing is counted. */
  private static final int UNBOUNDED = -1;

  private TemplateRenderer() {}

  /** Renders {@code template} for {@code ctx}; a null template renders as an empty string. */
  public static String render(String template, RenderContext ctx) {
    if (template == null || template.isEmpty()) {
      return "";
    }
    if (template.indexOf('{') < 0) {
      return template; // the common case: nothing to do, no allocation
    }
    Renderer r = new Renderer(template, ctx, UNBOUNDED);
    r.renderRange(0, template.length(), 0);
    return r.out.toString();
  }

  /**
   * Renders {@code template} for {@code ctx} as {@link #render(String, RenderContext)} does, or
   * returns empty when the text would be longer than {@code maxChars} characters, counted as
   * WhatsApp counts them: in code points (a surrogate pair is one character). Work stops as soon as
   * the bound is passed, so a template full of long variables costs O(template + maxChars),
   * whatever it would have expanded to.
   *
   * @param maxChars the longest text accepted, e.g. {@link Limits#MESSAGE_MAX_CHARS}
   * @throws IllegalArgumentException when {@code maxChars} is negative
   */
  public static Optional<String> render(String template, RenderContext ctx, int maxChars) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("maxChars must not be negative: " + maxChars);
    }
    if (template == null || template.isEmpty()) {
      return Optional.of("");
    }
    if (template.indexOf('{') < 0) {
      return codePointsAtMost(template, 0, template.length(), maxChars)
          ? Optional.of(template)
          : Optional.empty();
    }
    Renderer r = new Renderer(template, ctx, maxChars);
    r.renderRange(0, template.length(), 0);
    return r.over ? Optional.empty() : Optional.of(r.out.toString());
  }

  /**
   * Problems of {@code template} a user can act on, empty when there are none: braces nested deeper
   * than {@link Limits#TEMPLATE_MAX_DEPTH} or more brace groups than {@link
   * Limits#TEMPLATE_MAX_GROUPS}.
   */
  public static List<String> check(String template) {
    return TemplateShape.check(template);
  }

  /**
   * The longest text {@code template} can render to for any recipient, in characters, with every
   * variable at its documented bound ({@link Limits}).
   */
  public static long maxRenderedChars(String template) {
    return TemplateShape.maxRenderedChars(template);
  }

  /**
   * Whether {@code s[from, to)} has at most {@code max} code points; O(min(to - from, max)): a text
   * of 2 * max + 1 chars or more has more than max code points whatever they are.
   */
  private static boolean codePointsAtMost(CharSequence s, int from, int to, long max) {
    int chars = to - from;
    if (chars <= max) {
      return true;
    }
    if (chars > 2 * max) {
      return false;
    }
    return Character.codePointCount(s, from, to) <= max;
  }

  private static final class Renderer {
    private final String template;

    /** For each brace of the template, the index of its partner; -1 when unmatched. */
    private final int[] match;

    private final RenderContext ctx;
    private final SplittableRandom random;
    private final ZonedDateTime local;
    private final StringBuilder out;

    /** Whether the output is bounded; if so, how many more code points it may take. */
    private final boolean bounded;

    private long remaining;

    /** Set once the output passed its bound: the rendering stops and has no result. */
    boolean over;

    /** Fields by lower-cased name, the first in iteration order winning; built when needed. */
    private Map<String, String> fieldsByLowerName;

    /** Longer (trimmed) group contents cannot name a variable; computed when needed. */
    private int nameMaxChars = -1;

    Renderer(String template, RenderContext ctx, int maxChars) {
      this.template = template;
      this.match = TemplateShape.matchBraces(template);
      this.ctx = ctx;
      this.random = new SplittableRandom(seedOf(ctx.seed()));
      ZoneId zone = ctx.zone() == null ? ZoneOffset.UTC : ctx.zone();
      this.local = ctx.occurrence() == null ? null : ctx.occurrence().atZone(zone);
      this.bounded = maxChars != UNBOUNDED;
      this.remaining = maxChars;
      long capacity = template.length() + 16L;
      if (bounded) {
        capacity = Math.min(capacity, 2L * maxChars + 16); // a code point is at most two chars
      }
      this.out = new StringBuilder((int) Math.min(capacity, Integer.MAX_VALUE - 16));
    }

    /**
     * Appends {@code s[from, to)} unless that takes the output past its bound, which sets {@link
     * #over} instead. Costs O(min(to - from, remaining)) when bounded. Counting stays exact across
     * appends: a low surrogate right after a high one completes one code point.
     */
    private boolean emit(CharSequence s, int from, int to) {
      if (over) {
        return false;
      }
      if (from >= to) {
        return true;
      }
      if (bounded) {
        boolean joins =
            Character.isLowSurrogate(s.charAt(from))
                && out.length() > 0
                && Character.isHighSurrogate(out.charAt(out.length() - 1));
        long allowed = remaining + (joins ? 1 : 0);
        // More than 2 * allowed chars hold more than allowed code points: no need to count.
        int codePoints = to - from > 2 * allowed ? -1 : Character.codePointCount(s, from, to);
        if (codePoints < 0 || codePoints > allowed) {
          over = true;
          return false;
        }
        remaining = allowed - codePoints;
      }
      out.append(s, from, to);
      return true;
    }

    /**
     * Renders {@code template[from, to)}, whose groups sit at nesting depth {@code depth + 1}.
     * Inside a group every '{' is matched within the group, so an unmatched '{' is only ever met at
     * the top level, where it and everything after it stay verbatim.
     */
    void renderRange(int from, int to, int depth) {
      int text = from; // start of the plain text not yet copied
      for (int i = from; i < to; i++) {
        if (template.charAt(i) != '{') {
          continue;
        }
        int close = match[i];
        if (close < 0) {
          break; // unmatched: verbatim to the end, never an error
        }
        if (!emit(template, text, i)) {
          return;
        }
        renderGroup(i, close, depth + 1);
        if (over) {
          return;
        }
        i = close;
        text = close + 1;
      }
      emit(template, text, to);
    }

    /**
     * Renders the group {@code template[open, close]} at nesting depth {@code depth}. Recursion
     * goes through {@link #renderRange} and stops at {@link Limits#TEMPLATE_MAX_DEPTH}: the call
     * stack stays a few dozen frames deep whatever the template.
     */
    private void renderGroup(int open, int close, int depth) {
      if (depth > Limits.TEMPLATE_MAX_DEPTH) {
        emit(template, open, close + 1);
        return;
      }
      int options = countOptions(open, close);
      if (options > 1) {
        int chosen = random.nextInt(options);
        int start = open + 1;
        int index = 0;
        for (int k = open + 1; k <= close; k++) {
          char c = template.charAt(k);
          if (c == '{' && k < close) {
            k = match[k];
          } else if (c == '|' || k == close) {
            if (index == chosen) {
              renderRange(start, k, depth);
              return;
            }
            index++;
            start = k + 1;
          }
        }
        return; // not reached: option "chosen" exists
      }
      String value = variable(open + 1, close);
      if (value != null) {
        emit(value, 0, value.length());
        return;
      }
      // Not a variable we know: keep the braces, but still render what is nested inside.
      if (emit("{", 0, 1)) {
        renderRange(open + 1, close, depth);
        emit("}", 0, 1);
      }
    }

    /** Options of a group: one more than its '|' outside nested groups (skipped via match). */
    private int countOptions(int open, int close) {
      int options = 1;
      for (int k = open + 1; k < close; k++) {
        char c = template.charAt(k);
        if (c == '{') {
          k = match[k]; // within (k, close): a group's content is balanced
        } else if (c == '|') {
          options++;
        }
      }
      return options;
    }

    /**
     * The value of the variable named by {@code template[from, to)}, trimmed as {@link
     * String#trim()} does, or null. A content too long to be any variable's name is not copied.
     */
    private String variable(int from, int to) {
      while (from < to && template.charAt(from) <= ' ') {
        from++;
      }
      while (to > from && template.charAt(to - 1) <= ' ') {
        to--;
      }
      if (to - from > nameMaxChars()) {
        return null;
      }
      return variable(template.substring(from, to));
    }

    private String variable(String trimmedName) {
      String name = trimmedName.toLowerCase(Locale.ROOT);
      switch (name) {
        case "name":
          return ctx.name() == null ? "" : ctx.name();
        case "first_name":
          return firstName(ctx.name());
        case "phone":
          return ctx.phone() == null ? "" : ctx.phone();
        default:
          break;
      }
      if (local != null) {
        switch (name) {
          case "date":
            return DATE.format(local);
          case "time":
            return TIME.format(local);
          case "day":
            return local.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
          case "month":
            return local.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
          case "year":
            return Integer.toString(local.getYear());
          default:
            break;
        }
      }
      String field = ctx.fields().get(trimmedName);
      if (field != null) {
        return field;
      }
      return fieldsByLowerName().get(name);
    }

    private Map<String, String> fieldsByLowerName() {
      if (fieldsByLowerName == null) {
        Map<String, String> byLower = new LinkedHashMap<>();
        for (var e : ctx.fields().entrySet()) {
          byLower.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        fieldsByLowerName = byLower;
      }
      return fieldsByLowerName;
    }

    /**
     * A trimmed name longer than this matches no variable: a match needs the name, or its lower
     * case, to be as long as a built-in's or a field's name (or its lower case), and lower-casing
     * at most halves a text's length (a surrogate pair becoming one char).
     */
    private int nameMaxChars() {
      if (nameMaxChars < 0) {
        int longest = BUILT_IN_NAME_MAX_CHARS;
        for (String key : ctx.fields().keySet()) {
          longest = Math.max(longest, key.length());
          longest = Math.max(longest, key.toLowerCase(Locale.ROOT).length());
        }
        nameMaxChars = 2 * longest;
      }
      return nameMaxChars;
    }
  }

  private static String firstName(String name) {
    if (name == null) {
      return "";
    }
    String trimmed = name.strip();
    int space = trimmed.indexOf(' ');
    return space < 0 ? trimmed : trimmed.substring(0, space);
  }

  /** A stable 64-bit seed (FNV-1a): String.hashCode is only 32 bits and clusters. */
  private static long seedOf(String seed) {
    long h = 0xcbf29ce484222325L;
    String s = seed == null ? "" : seed;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
