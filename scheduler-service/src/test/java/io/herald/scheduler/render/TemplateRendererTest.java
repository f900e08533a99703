package io.herald.scheduler.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateRendererTest {

  // 2026-03-29T00:30Z is 01:30 CET, half an hour before Berlin's spring-forward switch.
  private static final Instant OCCURRENCE = Instant.parse("2026-03-29T00:30:00Z");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static RenderContext ctx(String seed) {
    return new RenderContext(
        "Ada Lovelace", "+4915112345678", Map.of("city", "Berlin"), OCCURRENCE, BERLIN, seed);
  }

  @Nested
  class Variables {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
        delimiter = '=',
        value = {
          "Hi {name}!=Hi Ada Lovelace!",
          "Hi {first_name}=Hi Ada",
          "{phone}=+4915112345678",
          "{date} {time}=2026-03-29 01:30",
          "{day}, {month} {year}=Sunday, March 2026",
          "See you in {city}=See you in Berlin",
          "{NAME}=Ada Lovelace",
        })
    void shouldRenderVariableWhenItIsKnown(String template, String expected) {
      assertThat(TemplateRenderer.render(template, ctx("c1-x"))).isEqualTo(expected);
    }

    @Test
    void shouldUseTheSchedulesZoneWhenRenderingTimeAfterADstSwitch() {
      RenderContext after =
          new RenderContext(null, null, null, Instant.parse("2026-03-29T01:30:00Z"), BERLIN, "s");

      assertThat(TemplateRenderer.render("{time}", after)).isEqualTo("03:30");
    }

    @Test
    void shouldKeepVariableVerbatimWhenItIsUnknown() {
      assertThat(TemplateRenderer.render("Hi {nickname} {", ctx("s")))
          .isEqualTo("Hi {nickname} {");
    }

    @Test
    void shouldRenderEmptyNameWhenRecipientHasNoContact() {
      RenderContext noName = new RenderContext(null, "+15550001111", null, OCCURRENCE, null, "s");

      assertThat(TemplateRenderer.render("Hi {name}|{phone}|{time}", noName))
          .isEqualTo("Hi |+15550001111|00:30");
    }

    @Test
    void shouldPreferBuiltInWhenAFieldHasTheSameName() {
      RenderContext shadow =
          new RenderContext("Ada", null, Map.of("name", "Field"), OCCURRENCE, BERLIN, "s");

      assertThat(TemplateRenderer.render("{name}", shadow)).isEqualTo("Ada");
    }

    @Test
    void shouldReturnTemplateUnchangedWhenItHasNoBraces() {
      assertThat(TemplateRenderer.render("plain text", ctx("s"))).isEqualTo("plain text");
      assertThat(TemplateRenderer.render(null, ctx("s"))).isEmpty();
    }
  }

  @Nested
  class Spintax {

    @Test
    void shouldRenderSameTextWhenSeedIsTheSame() {
      String template = "{Hi|Hello|Hey} {name}, {good|great} {day|week}!";

      String first = TemplateRenderer.render(template, ctx("c1-abc"));

      for (int i = 0; i < 20; i++) {
        assertThat(TemplateRenderer.render(template, ctx("c1-abc"))).isEqualTo(first);
      }
    }

    @Test
    void shouldChooseEveryOptionWhenSeedsVary() {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        seen.add(TemplateRenderer.render("{Hi|Hello|Hey}", ctx("c1-" + i)));
      }

      assertThat(seen).containsExactlyInAnyOrder("Hi", "Hello", "Hey");
    }

    @Test
    void shouldRenderNestedChoiceAndVariablesWhenSpintaxIsNested() {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        seen.add(TemplateRenderer.render("{Hi {first_name}|{Hello|Howdy} there}", ctx("" + i)));
      }

      assertThat(seen).containsExactlyInAnyOrder("Hi Ada", "Hello there", "Howdy there");
    }

    @Test
    void shouldAllowEmptyOptionWhenSpintaxHasOne() {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 100; i++) {
        seen.add(TemplateRenderer.render("a{|!}", ctx("" + i)));
      }

      assertThat(seen).containsExactlyInAnyOrder("a", "a!");
    }
  }

  // ---- Determinism: the renderer against a copy of the original recursive algorithm ----------

  /** Deepest nesting the generated templates reach (the bound of Limits.TEMPLATE_MAX_DEPTH). */
  private static final int GENERATED_MAX_DEPTH = 8;

  private static final List<String> WORDS =
      List.of(
          "a", "b", " ", "  ", "Hi", "name", "NAME", " name ", "first_name", "phone", "date",
          "time", "day", "month", "year", "city", "City", "CITY", "ort", "x{y}", "nick",
          "\uD83D\uDE00", "\u00E9", "\u0130", "{name}", "{city}", "{a|b}", "\t");

  /** Recipients the property renders for: fields with clashing case, braces, an empty key. */
  private static final List<RenderContext> CONTEXTS =
      List.of(
          ctx("unused"),
          new RenderContext(null, null, null, null, null, null),
          new RenderContext(
              " Grace  Hopper ",
              "+15550001111",
              fieldsInOrder("City", "New York", "ort", "NYC", "x{y}", "braced", "", "empty-key"),
              Instant.parse("2024-02-29T23:59:00Z"),
              ZoneId.of("Pacific/Chatham"),
              null),
          new RenderContext(
              "\uD83D\uDE00 Emoji",
              "120363@g.us",
              fieldsInOrder("city", "K\u00F6ln", "CITY", "COLOGNE", "name", "shadowed"),
              OCCURRENCE,
              ZoneOffset.UTC,
              null));

  private static Map<String, String> fieldsInOrder(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static RenderContext withSeed(RenderContext c, String seed) {
    return new RenderContext(c.name(), c.phone(), c.fields(), c.occurrence(), c.zone(), seed);
  }

  /**
   * Random templates of braces, bars, words and variables whose matched groups nest at most
   * {@link #GENERATED_MAX_DEPTH} deep: a '{' that would open a ninth level becomes plain text.
   * Leftover '{' stay unmatched and stray '}' stay, both on purpose.
   */
  @Provide
  Arbitrary<String> templatesWithinTheDepthBound() {
    Arbitrary<String> token =
        Arbitraries.frequencyOf(
            Tuple.of(7, Arbitraries.just("{")),
            Tuple.of(6, Arbitraries.just("}")),
            Tuple.of(4, Arbitraries.just("|")),
            Tuple.of(8, Arbitraries.of(WORDS)));
    return token.list().ofMaxSize(120).map(TemplateRendererTest::withinDepth);
  }

  private static String withinDepth(List<String> tokens) {
    StringBuilder out = new StringBuilder();
    int open = 0;
    for (String t : tokens) {
      if (t.equals("{")) {
        if (open == GENERATED_MAX_DEPTH) {
          out.append('x');
          continue;
        }
        open++;
      } else if (t.equals("}") && open > 0) {
        open--;
      } else if (t.indexOf('{') >= 0 && open >= GENERATED_MAX_DEPTH - 1) {
        out.append('x'); // a braced word would open one level more
        continue;
      }
      out.append(t);
    }
    return out.toString();
  }

  @Property(tries = 3000)
  void shouldRenderLikeTheOriginalRecursiveRendererWhenTemplateNestsAtMostEightDeep(
      @ForAll("templatesWithinTheDepthBound") String template,
      @ForAll @IntRange(min = 0, max = 3) int recipient,
      @ForAll String seed) {
    RenderContext c = withSeed(CONTEXTS.get(recipient), seed);

    assertThat(TemplateRenderer.render(template, c))
        .isEqualTo(OriginalRenderer.render(template, c));
  }

  /**
   * The renderer as it was before the poison-proofing (recursive, quadratic), kept verbatim as
   * the reference: every template within the bounds must render exactly as it did, so stored
   * schedules and re-fires keep their text.
   */
  static final class OriginalRenderer {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");

    private OriginalRenderer() {}

    static String render(String template, RenderContext ctx) {
      if (template == null || template.isEmpty()) {
        return "";
      }
      if (template.indexOf('{') < 0) {
        return template;
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
            out.append(s, i, s.length());
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
}
