package io.herald.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.MessageTemplate.Component;
import io.herald.contracts.event.MessageTemplate.Parameter;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.scheduler.schedule.ScheduleValidator.DeviceCheck;
import io.herald.scheduler.schedule.ScheduleValidator.Problem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Templates and window policies checked at definition time (ADR 0021). */
class TemplateChecksTest {

  private static final Instant NOW = Instant.parse("2026-06-01T06:00:00Z");
  private static final RuleSpec DAILY =
      new RuleSpec(
          "daily", 1, null, null, "09:00", null, null, "UTC", null, null, null, null, null, null);

  private final ScheduleValidator validator = new ScheduleValidator(3);

  private static Definition definition(
      ScheduleKind kind, String message, MessageTemplate template, WindowPolicy policy) {
    return new Definition(
        kind.keyFor("x"),
        kind,
        "t1",
        "d1",
        "n",
        message,
        null,
        List.of("+6281234567890"),
        DAILY,
        null,
        true,
        null,
        1,
        NOW,
        List.of(),
        template,
        policy);
  }

  private static MessageTemplate template(Component... components) {
    return new MessageTemplate("class_reminder", "en_US", List.of(components));
  }

  private static Component body(String... texts) {
    List<Parameter> ps = new ArrayList<>();
    for (String t : texts) {
      ps.add(new Parameter("text", t, null));
    }
    return new Component("body", null, null, ps);
  }

  private List<String> problems(Definition d, DeviceCheck device) {
    return validator.validate(d, device, NOW).problems().stream().map(Problem::message).toList();
  }

  @Test
  void shouldAcceptTemplateWithHeaderMediaBodyVariablesAndButtons() {
    MessageTemplate t =
        template(
            new Component(
                "header",
                null,
                null,
                List.of(new Parameter("image", null, "https://cdn.example.com/a.png"))),
            body("{name}", "{Hi|Hello} at 08:30"),
            new Component(
                "button", "quick_reply", 0, List.of(new Parameter("payload", "STOP", null))),
            new Component("button", "url", 1, List.of(new Parameter("text", "order/42", null))));

    assertThat(
            problems(
                definition(ScheduleKind.RECURRING, "Hi {name}", t, null),
                DeviceCheck.OK_WITHOUT_GROUPS))
        .isEmpty();
  }

  @Test
  void shouldNameEveryShapeProblemOfATemplate() {
    MessageTemplate t =
        new MessageTemplate(
            "Class Reminder",
            "english",
            List.of(
                body("{name}"),
                body(""),
                new Component(
                    "header", null, null, List.of(new Parameter("image", null, "http://x.test/a"))),
                new Component("button", "call", 0, List.of()),
                new Component(
                    "button", "quick_reply", 0, List.of(new Parameter("payload", "A", null))),
                new Component(
                    "button", "quick_reply", 0, List.of(new Parameter("payload", "B", null))),
                new Component("footer", null, null, List.of())));

    assertThat(problems(definition(ScheduleKind.BROADCAST, "Hi", t, null), DeviceCheck.OK))
        .anyMatch(p -> p.startsWith("template_name must be"))
        .anyMatch(p -> p.startsWith("template_language must be"))
        .anyMatch(p -> p.contains("parameters[0] must not be empty"))
        .anyMatch(p -> p.contains(".link must be an https URL"))
        .anyMatch(p -> p.contains(".sub_type must be quick_reply or url"))
        .anyMatch(p -> p.contains(".index 0 is used twice"))
        .anyMatch(p -> p.contains(".type must be header, body or button"))
        .anyMatch(p -> p.equals("a template has at most one header and one body component"));
  }

  @Test
  void shouldRejectParameterLongerThanTheApiTakesAsWritten() {
    String longText = "x".repeat(1_100);

    assertThat(
            problems(
                definition(ScheduleKind.BROADCAST, "Hi", template(body(longText)), null),
                DeviceCheck.OK_WITHOUT_GROUPS))
        .anyMatch(p -> p.contains("has 1100 characters, at most 1024"));
  }

  @Test
  void shouldNeedTemplateWhenPolicySendsOneOutsideTheWindow() {
    assertThat(
            problems(
                definition(ScheduleKind.RECURRING, "Hi", null, WindowPolicy.FALLBACK_TEMPLATE),
                DeviceCheck.OK_WITHOUT_GROUPS))
        .containsExactly("window_policy fallback_template needs a template (template_name)");
    assertThat(
            problems(
                definition(ScheduleKind.RECURRING, "Hi", null, WindowPolicy.SKIP_OUTSIDE),
                DeviceCheck.OK_WITHOUT_GROUPS))
        .isEmpty();
  }

  @Test
  void shouldAllowNoMessageOnlyWhenTemplateAlwaysGoesAndTheDeviceHasTemplates() {
    Definition templateOnly =
        definition(
            ScheduleKind.BROADCAST, "", template(body("{name}")), WindowPolicy.TEMPLATE_ALWAYS);

    assertThat(problems(templateOnly, DeviceCheck.OK_WITHOUT_GROUPS)).isEmpty();
    assertThat(problems(templateOnly, DeviceCheck.OK))
        .anyMatch(p -> p.contains("sends through a gateway, which has no templates"));
    assertThat(
            problems(
                definition(ScheduleKind.BROADCAST, "", template(body("{name}")), null),
                DeviceCheck.OK_WITHOUT_GROUPS))
        .contains("message must not be blank without a mediaUrl");
  }

  @Test
  void shouldRefuseTemplateOnAutoPost() {
    assertThat(
            problems(
                definition(ScheduleKind.AUTOPOST, "Hi", template(body("x")), null), DeviceCheck.OK))
        .anyMatch(p -> p.startsWith("auto-posts go to groups through gateways"));
  }

  @Test
  void shouldStopCheckingAtTheComponentBoundWhateverTheListHolds() {
    List<Component> many = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      many.add(body("x"));
    }
    MessageTemplate t = new MessageTemplate("a", "en", many);

    assertThat(
            problems(
                definition(ScheduleKind.BROADCAST, "Hi", t, null), DeviceCheck.OK_WITHOUT_GROUPS))
        .containsExactly("template_components has 100000 components, at most 12");
  }
}
