package io.herald.scheduler.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.herald.contracts.limit.Limits;
import java.time.Duration;
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
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

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
      assertThat(TemplateRenderer.render("Hi {nickname} {", ctx("s"))).isEqualTo("Hi {nickname} {");
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

  /** Templates of a poison shape ("nested braces"), about {@code chars} long. */
  static String poison(String shape, int chars) {
    return switch (shape) {
      case "open braces" -> "{".repeat(chars);
      case "nested groups" -> "{".repeat(chars / 2) + "}".repeat(chars / 2);
      case "open spintax" -> "{a|".repeat(chars / 3);
      case "nested spintax" -> "{a|".repeat(chars / 4) + "}".repeat(chars / 4);
      case "empty groups" -> "{}".repeat(chars / 2);
      case "stray closes" -> "}{".repeat(chars / 2);
      case "half-open groups" -> "{{}".repeat(chars / 3);
      case "nested variables" -> "{".repeat(chars / 8) + "{name}" + "}".repeat(chars / 8);
      default -> throw new IllegalArgumentException(shape);
    };
  }

  static final List<String> POISON_SHAPES =
      List.of(
          "open braces",
          "nested groups",
          "open spintax",
          "nested spintax",
          "empty groups",
          "stray closes",
          "half-open groups",
          "nested variables");

  static java.util.stream.Stream<Arguments> poisonTemplates() {
    return POISON_SHAPES.stream()
        .flatMap(
            shape ->
                java.util.stream.Stream.of(
                    Arguments.of(shape, 40 * 1024), Arguments.of(shape, 1024 * 1024)));
  }

  @Nested
  class Poison {

    @ParameterizedTest(name = "{0}, {1} chars")
    @MethodSource("io.herald.scheduler.render.TemplateRendererTest#poisonTemplates")
    void shouldRenderQuicklyWithoutStackOverflowWhenTemplateIsHugeAndNested(
        String shape, int chars) {
      String template = poison(shape, chars);

      String rendered =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5), () -> TemplateRenderer.render(template, ctx("c1-x")));
      Optional<String> bounded =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5),
              () -> TemplateRenderer.render(template, ctx("c1-x"), Limits.MESSAGE_MAX_CHARS));

      List<String> problems =
          assertTimeoutPreemptively(Duration.ofSeconds(5), () -> TemplateRenderer.check(template));

      assertThat(problems).hasSizeLessThanOrEqualTo(2);
      assertThat(rendered).isNotNull();
      assertThat(bounded)
          .isEqualTo(
              codePoints(rendered) <= Limits.MESSAGE_MAX_CHARS
                  ? Optional.of(rendered)
                  : Optional.empty());
    }

    @Test
    void shouldRenderNestedGroupsVerbatimWhenTheyAreUnknownAndTooDeep() {
      String template = poison("nested groups", 40 * 1024);

      assertThat(TemplateRenderer.render(template, ctx("s"))).isEqualTo(template);
    }

    @Test
    void shouldRenderGroupVerbatimWhenItNestsDeeperThanTheBound() {
      // {name} at depth 9: verbatim; the eight unknown groups around it keep their braces.
      String nine = "{".repeat(8) + "{name}" + "}".repeat(8);

      assertThat(TemplateRenderer.render(nine, ctx("s"))).isEqualTo(nine);
    }

    @Test
    void shouldExpandGroupWhenItNestsExactlyAtTheBound() {
      String eight = "{".repeat(7) + "{name}" + "}".repeat(7);

      assertThat(TemplateRenderer.render(eight, ctx("s")))
          .isEqualTo("{".repeat(7) + "Ada Lovelace" + "}".repeat(7));
    }

    @Test
    void shouldKeepSpintaxVerbatimWhenChoiceReachesBeyondTheBound() {
      // Both options of every group go one level deeper, down to "{a|b}" at depth 9.
      String template = "{a|b}";
      for (int depth = 8; depth >= 1; depth--) {
        template = "{" + template + "|" + template + "}";
      }

      assertThat(TemplateRenderer.render(template, ctx("s"))).isEqualTo("{a|b}");
    }
  }

  @Nested
  class Check {

    @Test
    void shouldAcceptTemplateWhenBracesNestEightDeep() {
      String eight = "{".repeat(7) + "{Hi|Hello}" + "}".repeat(7);

      assertThat(TemplateRenderer.check(eight)).isEmpty();
    }

    @Test
    void shouldReportDepthWhenBracesNestNineDeep() {
      String nine = "{".repeat(8) + "{Hi|Hello}" + "}".repeat(8);

      assertThat(TemplateRenderer.check(nine))
          .containsExactly("message nests braces 9 deep, at most 8 allowed");
    }

    @Test
    void shouldAcceptTemplateWhenItHasExactlyTheMostGroups() {
      assertThat(TemplateRenderer.check("{name}".repeat(Limits.TEMPLATE_MAX_GROUPS))).isEmpty();
    }

    @Test
    void shouldReportGroupsWhenTemplateHasOneGroupTooMany() {
      assertThat(TemplateRenderer.check("{name}".repeat(Limits.TEMPLATE_MAX_GROUPS + 1)))
          .containsExactly("message has 513 brace groups, at most 512 allowed");
    }

    @Test
    void shouldAcceptTemplateWhenBracesAreUnmatched() {
      assertThat(TemplateRenderer.check("{".repeat(100_000))).isEmpty();
      assertThat(TemplateRenderer.check("}".repeat(100_000) + "{a}")).isEmpty();
      assertThat(TemplateRenderer.check("smile :-{ and {name}, } {")).isEmpty();
      assertThat(TemplateRenderer.check(null)).isEmpty();
      assertThat(TemplateRenderer.check("")).isEmpty();
    }

    @Test
    void shouldReportDepthAndGroupsWhenTemplateIsAMegabyteOfNestedBraces() {
      String template = poison("nested groups", 1024 * 1024);

      assertThat(TemplateRenderer.check(template))
          .containsExactly(
              "message nests braces 524288 deep, at most 8 allowed",
              "message has 524288 brace groups, at most 512 allowed");
    }
  }

  /** Random soups of braces, bars and words, and trees of spintax nested up to 12 deep. */
  @Provide
  Arbitrary<String> anyTemplates() {
    Arbitrary<String> soups =
        Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just("{")),
                Tuple.of(6, Arbitraries.just("}")),
                Tuple.of(2, Arbitraries.just("|")),
                Tuple.of(3, Arbitraries.of(WORDS)))
            .list()
            .ofMaxSize(200)
            .map(list -> String.join("", list));
    Arbitrary<String> trees =
        Arbitraries.randomValue(random -> groupTree(random, random.nextInt(13)));
    return Arbitraries.oneOf(soups, trees);
  }

  @Property(tries = 2000)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF) // the coverage is still checked
  void shouldReportTheDeepestMatchedNestingWhenCheckingAnyTemplate(
      @ForAll("anyTemplates") String template) {
    int depth = matchedDepth(template);
    Statistics.label("too deep").collect(depth > Limits.TEMPLATE_MAX_DEPTH);
    Statistics.label("too deep")
        .coverage(
            cover -> {
              cover.check(true).percentage(p -> p > 10);
              cover.check(false).percentage(p -> p > 10);
            });
    String problem = "message nests braces " + depth + " deep, at most 8 allowed";

    if (depth > Limits.TEMPLATE_MAX_DEPTH) {
      assertThat(TemplateRenderer.check(template)).containsExactly(problem);
    } else {
      assertThat(TemplateRenderer.check(template)).isEmpty();
    }
  }

  private static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  @Nested
  class OutputBound {

    private static final String EMOJI = "\uD83D\uDE00"; // one character, two chars

    private RenderContext named(String name) {
      return new RenderContext(name, null, Map.of("x", "\uDE00", "hi", "a\uD83D"), null, null, "s");
    }

    @Test
    void shouldRenderWhenTextHasExactlyMaxCharsAndRefuseWhenOneMore() {
      RenderContext c = named("x".repeat(Limits.MESSAGE_MAX_CHARS - 3));

      assertThat(TemplateRenderer.render("Hi {name}", c, Limits.MESSAGE_MAX_CHARS))
          .contains("Hi " + "x".repeat(Limits.MESSAGE_MAX_CHARS - 3));
      assertThat(TemplateRenderer.render("Hi {name}", c, Limits.MESSAGE_MAX_CHARS - 1)).isEmpty();
    }

    @Test
    void shouldCountSurrogatePairsAsOneCharacterWhenBoundingTheOutput() {
      RenderContext c = named(EMOJI.repeat(Limits.CAPTION_MAX_CHARS - 3));
      String expected = "Hi " + EMOJI.repeat(Limits.CAPTION_MAX_CHARS - 3);

      assertThat(TemplateRenderer.render("Hi {name}", c, Limits.CAPTION_MAX_CHARS))
          .contains(expected);
      assertThat(TemplateRenderer.render("Hi {name}", c, Limits.CAPTION_MAX_CHARS - 1)).isEmpty();
    }

    @Test
    void shouldCountOneCharacterWhenASurrogatePairIsSplitBetweenTextAndVariable() {
      // high surrogate in the template + low surrogate from the field = one emoji
      assertThat(TemplateRenderer.render("\uD83D{x}", named(null), 1)).contains(EMOJI);
      assertThat(TemplateRenderer.render("\uD83D{x}", named(null), 0)).isEmpty();
      // a field ending in a high surrogate + a low surrogate in the template
      assertThat(TemplateRenderer.render("{hi}\uDE00", named(null), 2)).contains("a" + EMOJI);
      assertThat(TemplateRenderer.render("{hi}\uDE00", named(null), 1)).isEmpty();
    }

    @Test
    void shouldBoundTheTextWhenTemplateHasNoBraces() {
      String text = EMOJI.repeat(Limits.MESSAGE_MAX_CHARS);

      assertThat(TemplateRenderer.render(text, named(null), Limits.MESSAGE_MAX_CHARS))
          .contains(text);
      assertThat(TemplateRenderer.render(text, named(null), Limits.MESSAGE_MAX_CHARS - 1))
          .isEmpty();
      assertThat(TemplateRenderer.render(null, named(null), 0)).contains("");
      assertThat(TemplateRenderer.render("", named(null), 0)).contains("");
    }

    @Test
    void shouldCountVerbatimBracesWhenBoundingTheOutput() {
      String template = "{unknown} {";

      assertThat(TemplateRenderer.render(template, named(null), template.length()))
          .contains(template);
      assertThat(TemplateRenderer.render(template, named(null), template.length() - 1)).isEmpty();
    }

    @Test
    void shouldStopEarlyWhenVariablesWouldExpandFarBeyondTheBound() {
      // Unbounded, this would be 512 MB of text; bounded, the first variable already passes.
      RenderContext huge =
          new RenderContext(null, null, Map.of("v", "x".repeat(1 << 20)), null, null, "s");
      String template = "{v}".repeat(Limits.TEMPLATE_MAX_GROUPS);

      Optional<String> rendered =
          assertTimeoutPreemptively(
              Duration.ofSeconds(2),
              () -> TemplateRenderer.render(template, huge, Limits.MESSAGE_MAX_CHARS));

      assertThat(rendered).isEmpty();
    }

    @Test
    void shouldRefuseBoundWhenItIsNegative() {
      assertThatThrownBy(() -> TemplateRenderer.render("hi", named(null), -1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---- Determinism: the renderer against a copy of the original recursive algorithm ----------

  /** Deepest nesting the generated templates reach (the bound of Limits.TEMPLATE_MAX_DEPTH). */
  private static final int GENERATED_MAX_DEPTH = 8;

  private static final List<String> WORDS =
      List.of(
          "a",
          "b",
          " ",
          "  ",
          "Hi",
          "name",
          "NAME",
          " name ",
          "first_name",
          "phone",
          "date",
          "time",
          "day",
          "month",
          "year",
          "city",
          "City",
          "CITY",
          "ort",
          "x{y}",
          "nick",
          "\uD83D\uDE00",
          "\u00E9",
          "\u0130",
          "{name}",
          "{city}",
          "{a|b}",
          "\t");

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
   * Random templates of braces, bars, words and variables whose matched groups nest at most {@link
   * #GENERATED_MAX_DEPTH} deep: random token soups (leftover '{' stay unmatched and stray '}' stay,
   * both on purpose) and trees of spintax reaching a chosen depth.
   */
  @Provide
  Arbitrary<String> templatesWithinTheDepthBound() {
    Arbitrary<String> token =
        Arbitraries.frequencyOf(
            Tuple.of(7, Arbitraries.just("{")),
            Tuple.of(6, Arbitraries.just("}")),
            Tuple.of(4, Arbitraries.just("|")),
            Tuple.of(8, Arbitraries.of(WORDS)));
    Arbitrary<String> tokens =
        token.list().ofMaxSize(120).map(list -> withinDepth(String.join("", list)));
    Arbitrary<String> trees =
        Arbitraries.randomValue(TemplateRendererTest::groupTreeWithinTheBound);
    return Arbitraries.oneOf(tokens, trees);
  }

  /**
   * Well-formed spintax and variables nested down to a random depth, half of the time the bound
   * itself, with words and stray braces at the top level around it.
   */
  private static String groupTreeWithinTheBound(java.util.Random random) {
    int target = random.nextBoolean() ? GENERATED_MAX_DEPTH : random.nextInt(GENERATED_MAX_DEPTH);
    return withinDepth(groupTree(random, target));
  }

  private static String groupTree(java.util.Random random, int target) {
    StringBuilder out = new StringBuilder();
    out.append(random.nextInt(4) == 0 ? "}" : "").append(WORDS.get(random.nextInt(WORDS.size())));
    groupTree(random, 1, target, true, out);
    out.append(WORDS.get(random.nextInt(WORDS.size())));
    out.append(random.nextInt(4) == 0 ? "{ " + WORDS.get(random.nextInt(WORDS.size())) : "");
    return out.toString();
  }

  private static void groupTree(
      java.util.Random random, int depth, int target, boolean onPath, StringBuilder out) {
    if (depth > target) {
      out.append(WORDS.get(random.nextInt(WORDS.size())));
      return;
    }
    out.append('{');
    int options = 1 + random.nextInt(3);
    int deeper = random.nextInt(options); // the option that surely reaches the target depth
    for (int o = 0; o < options; o++) {
      if (o > 0) {
        out.append('|');
      }
      int items = random.nextInt(3);
      for (int k = 0; k < items; k++) {
        out.append(WORDS.get(random.nextInt(WORDS.size())));
      }
      if (onPath && o == deeper) {
        groupTree(random, depth + 1, target, true, out);
      } else if (random.nextInt(4) == 0) {
        groupTree(random, depth + 1, target, false, out);
      }
      if (random.nextBoolean()) {
        out.append(WORDS.get(random.nextInt(WORDS.size())));
      }
    }
    out.append('}');
  }

  /** A '{' that would open a ninth level (counting every '{' still open) becomes an 'x'. */
  private static String withinDepth(String template) {
    StringBuilder out = new StringBuilder(template.length());
    int open = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '{') {
        if (open == GENERATED_MAX_DEPTH) {
          out.append('x');
          continue;
        }
        open++;
      } else if (c == '}' && open > 0) {
        open--;
      }
      out.append(c);
    }
    return out.toString();
  }

  @Property(tries = 3000)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF) // the coverage is still checked
  void shouldRenderLikeTheOriginalRecursiveRendererWhenTemplateNestsAtMostEightDeep(
      @ForAll("templatesWithinTheDepthBound") String template,
      @ForAll @IntRange(min = 0, max = 3) int recipient,
      @ForAll String seed) {
    RenderContext c = withSeed(CONTEXTS.get(recipient), seed);
    int depth = matchedDepth(template);
    assertThat(depth).isLessThanOrEqualTo(GENERATED_MAX_DEPTH);
    Statistics.label("depth").collect(depth);
    Statistics.label("depth")
        .coverage(
            cover -> {
              cover.check(0).percentage(p -> p > 1);
              cover.check(GENERATED_MAX_DEPTH).percentage(p -> p > 5);
            });

    String original = OriginalRenderer.render(template, c);
    int length = codePoints(original);

    assertThat(TemplateRenderer.render(template, c)).isEqualTo(original);
    assertThat(TemplateRenderer.render(template, c, length)).contains(original);
    if (length > 0) {
      assertThat(TemplateRenderer.render(template, c, length - 1)).isEmpty();
    }
  }

  /** Deepest nesting of matched braces, counted the slow, obvious way (forward scans). */
  static int matchedDepth(String template) {
    boolean[] closesAGroup = new boolean[template.length()];
    int depth = 0;
    int deepest = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '{') {
        int close = OriginalRenderer.matchingBrace(template, i);
        if (close >= 0) {
          closesAGroup[close] = true;
          deepest = Math.max(deepest, ++depth);
        }
      } else if (c == '}' && closesAGroup[i]) {
        depth--;
      }
    }
    return deepest;
  }

  /**
   * The renderer as it was before the poison-proofing (recursive, quadratic), kept verbatim as the
   * reference: every template within the bounds must render exactly as it did, so stored schedules
   * and re-fires keep their text.
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

    static int matchingBrace(String s, int open) {
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
