package io.herald.scheduler.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
}
