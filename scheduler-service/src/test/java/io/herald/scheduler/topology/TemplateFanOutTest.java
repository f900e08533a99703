package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.contactId;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.MessageTemplate.Component;
import io.herald.contracts.event.MessageTemplate.Parameter;
import io.herald.contracts.event.WindowPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A definition's template is rendered per recipient at fan-out like its message (ADR 0021): the
 * command carries the finished template and the window policy; the sender decides which goes out.
 */
class TemplateFanOutTest {

  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir);
    f.device(DEVICE, "tenant-a");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static MessageTemplate template(String header) {
    return new MessageTemplate(
        "class_reminder",
        "id",
        List.of(
            new Component("header", null, null, List.of(new Parameter("text", header, null))),
            new Component(
                "body",
                null,
                null,
                List.of(
                    new Parameter("text", "{name}", null), new Parameter("text", "08:30", null))),
            new Component(
                "button", "quick_reply", 0, List.of(new Parameter("payload", "STOP", null)))));
  }

  @Test
  void shouldRenderTemplateParametersForEachRecipient() {
    f.contact(contactId(1), phone(1), "Ada", false);
    f.contact(contactId(2), phone(2), "Grace", false);
    f.send(
        recurring(
                "r1",
                daily("09:00", "Europe/Berlin"),
                List.of(contactId(1), contactId(2)),
                "Hi {name}")
            .withTemplate(template("Class for {name}"), WindowPolicy.FALLBACK_TEMPLATE));
    f.advance(Duration.ofSeconds(1));

    f.jump(Duration.between(f.now(), NINE));
    List<SendCommand> commands = f.commands();

    assertThat(commands).hasSize(2);
    SendCommand ada =
        commands.stream().filter(c -> c.recipient().equals(phone(1))).findFirst().orElseThrow();
    assertThat(ada.text()).isEqualTo("Hi Ada");
    assertThat(ada.windowPolicy()).isEqualTo(WindowPolicy.FALLBACK_TEMPLATE);
    assertThat(ada.template().name()).isEqualTo("class_reminder");
    assertThat(ada.template().components().get(0).parameters().get(0).text())
        .isEqualTo("Class for Ada");
    assertThat(ada.template().components().get(1).parameters())
        .extracting(Parameter::text)
        .containsExactly("Ada", "08:30");
    assertThat(ada.template().components().get(2).parameters().get(0).text()).isEqualTo("STOP");
  }

  @Test
  void shouldSkipRecipientWhoseHeaderWouldRenderLongerThanTheApiTakes() {
    f.contact(contactId(1), phone(1), "Ada", false);
    f.contact(contactId(2), phone(2), "G".repeat(80), false);
    f.send(
        recurring("r1", daily("09:00", "Europe/Berlin"), List.of(contactId(1), contactId(2)), "Hi")
            .withTemplate(template("{name}"), null));
    f.advance(Duration.ofSeconds(1));

    f.jump(Duration.between(f.now(), NINE));

    assertThat(f.errors.isEmpty())
        .as("{name} in a header is valid; a long name is skipped")
        .isTrue();
    assertThat(f.commands()).singleElement().extracting(SendCommand::recipient).isEqualTo(phone(1));
  }
}
