package io.herald.scheduler.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.limit.Limits;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The validator rejects a message whose worst case ({@link TemplateRenderer#maxRenderedChars})
 * exceeds WhatsApp's limit, so that no recipient is skipped as {@code unrenderable} at fire time.
 * That promise holds only if no recipient can render longer than the worst case: checked here with
 * every variable at its bound.
 */
class TemplateWorstCaseTest {

  /** U+0130 lower-cases to two chars: a field name that doubles in length when lower-cased. */
  private static final String DOTTED_I = "\u0130";

  private static final String LONG_I_KEY = DOTTED_I.repeat(33);

  /** A Wednesday in September: the widest day and month names. */
  private static final Instant WIDEST_DATE = Instant.parse("2026-09-30T23:59:00Z");

  private static String full(int chars) {
    return "w".repeat(chars);
  }

  /** A recipient whose name, phone and fields are all at their bounds. */
  private static RenderContext atBounds() {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String key : List.of("city", "City", "nick", LONG_I_KEY, DOTTED_I.repeat(64))) {
      fields.put(key, full(Limits.CONTACT_FIELD_VALUE_MAX_CHARS));
    }
    return new RenderContext(
        full(Limits.CONTACT_NAME_MAX_CHARS),
        full(Limits.RECIPIENT_MAX_CHARS),
        fields,
        WIDEST_DATE,
        ZoneOffset.UTC,
        "seed");
  }

  private static long rendered(String template) {
    String text = TemplateRenderer.render(template, atBounds());
    return text.codePointCount(0, text.length());
  }

  @Test
  void shouldCountAFieldWhenItsNameGrowsWhenLowerCased() {
    // Lower-cased, the name is 66 chars, over a field name's 64, yet it matches the field exactly
    // as written: the worst case once counted it verbatim (35) and let 17 of them (595 chars)
    // through the validator while a recipient renders 4,352.
    String template = ("{" + LONG_I_KEY + "}").repeat(17);

    assertThat(rendered(template)).isEqualTo(17L * Limits.CONTACT_FIELD_VALUE_MAX_CHARS);
    assertThat(TemplateRenderer.maxRenderedChars(template)).isGreaterThan(Limits.MESSAGE_MAX_CHARS);
  }

  @Property(tries = 3000)
  void shouldNeverRenderLongerThanTheWorstCase(@ForAll("templates") String template) {
    assertThat(rendered(template)).isLessThanOrEqualTo(TemplateRenderer.maxRenderedChars(template));
  }

  @Provide
  Arbitrary<String> templates() {
    Arbitrary<String> variable =
        Arbitraries.of(
                "name",
                " Name ",
                "first_name",
                "PHONE",
                "date",
                "time",
                "day",
                "month",
                "year",
                "city",
                "CITY",
                "nick",
                "unknown",
                LONG_I_KEY,
                LONG_I_KEY.toLowerCase(java.util.Locale.ROOT),
                DOTTED_I.repeat(64),
                "i\u0307".repeat(64))
            .map(v -> "{" + v + "}");
    Arbitrary<String> token =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just("{")),
            Tuple.of(3, Arbitraries.just("}")),
            Tuple.of(2, Arbitraries.just("|")),
            Tuple.of(3, Arbitraries.of("Hi ", "a", "\uD83D\uDE00", DOTTED_I)),
            Tuple.of(6, variable));
    return token.list().ofMaxSize(60).map(list -> String.join("", list));
  }
}
