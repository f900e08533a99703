package io.herald.scheduler.render;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Renders a message template for one recipient: variables ({@code {name}}, {@code {first_name}},
 * {@code {phone}}, {@code {date}} as yyyy-MM-dd, {@code {time}} as HH:mm, {@code {day}}, {@code
 * {month}}, {@code {year}} in the schedule's zone, and any key of the contact's fields) and
 * spintax ({@code {Hi|Hello}}, nestable).
 *
 * <p>Rules: built-in variables win over fields of the same name; unknown variables and unmatched
 * braces stay verbatim; a variable name is case-insensitive. Spintax choices come from a random
 * generator seeded by {@link RenderContext#seed()} and consumed in template order, so the same
 * (template, seed) always renders the same text: a re-fire is byte-identical.
 */
public final class TemplateRenderer {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");

  private TemplateRenderer() {}

  /** Renders {@code template} for {@code ctx}; a null template renders as an empty string. */
  public static String render(String template, RenderContext ctx) {
    if (template == null || template.isEmpty()) {
      return "";
    }
    if (template.indexOf('{') < 0) {
      return template; // the common case: nothing to do, no allocation
    }
    Renderer r = new Renderer(ctx);
    StringBuilder out = new StringBuilder(template.length() + 16);
    r.renderInto(template, out);
    return out.toString();
  }

  private static final class Renderer {
    private final RenderContext ctx;
    private final SplittableRandom random;
    private final ZonedDateTime local;

    Renderer(RenderContext ctx) {
      this.ctx = ctx;
      this.random = new SplittableRandom(seedOf(ctx.seed()));
      ZoneId zone = ctx.zone() == null ? ZoneOffset.UTC : ctx.zone();
      this.local = ctx.occurrence() == null ? null : ctx.occurrence().atZone(zone);
    }

    void renderInto(String s, StringBuilder out) {
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != '{') {
          out.append(c);
          i++;
          continue;
        }
        int close = matchingBrace(s, i);
        if (close < 0) {
          out.append(s, i, s.length()); // unmatched: verbatim, never an error
          return;
        }
        renderGroup(s.substring(i + 1, close), out);
        i = close + 1;
      }
    }

    private void renderGroup(String inner, StringBuilder out) {
      List<String> options = splitTopLevel(inner);
      if (options.size() > 1) {
        String choice = options.get(random.nextInt(options.size()));
        renderInto(choice, out);
        return;
      }
      String value = variable(inner);
      if (value != null) {
        out.append(value);
        return;
      }
      // Not a variable we know: keep the braces, but still render what is nested inside.
      out.append('{');
      renderInto(inner, out);
      out.append('}');
    }

    private String variable(String rawName) {
      String name = rawName.trim().toLowerCase(Locale.ROOT);
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
      String field = ctx.fields().get(rawName.trim());
      if (field != null) {
        return field;
      }
      for (var e : ctx.fields().entrySet()) {
        if (e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
          return e.getValue();
        }
      }
      return null;
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

  /** Index of the '}' closing the '{' at {@code open}, honouring nesting; -1 when unmatched. */
  private static int matchingBrace(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  /** Splits on '|' outside nested braces. */
  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>(4);
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == '|' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
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
