package io.herald.sender.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text, template or skip by the recipient's window (ADR 0021). */
class WindowChoiceTest {

  private static final Instant NOW = Instant.parse("2026-06-01T08:00:00Z");
  private static final MessageTemplate TEMPLATE = new MessageTemplate("t", "id", List.of());

  private static SendCommand cmd(MessageTemplate template, WindowPolicy policy) {
    return new SendCommand(
        1,
        CommandId.of("recurring:a", NOW, "+6281"),
        "t",
        "d",
        "recurring:a",
        ScheduleKind.RECURRING,
        NOW,
        "+6281",
        RecipientType.INDIVIDUAL,
        null,
        "hi",
        null,
        null,
        1,
        null,
        template,
        policy);
  }

  private static WindowChoice cloud(SendCommand c, Duration sinceInbound) {
    return WindowChoice.of(c, true, sinceInbound == null ? null : NOW.minus(sinceInbound), NOW);
  }

  @Test
  void shouldSendTextInsideAndTemplateOutsideByDefaultWhenThereIsATemplate() {
    SendCommand c = cmd(TEMPLATE, null);

    assertThat(WindowChoice.needsWindow(c, true)).isTrue();
    assertThat(cloud(c, Duration.ofHours(23))).isEqualTo(WindowChoice.TEXT);
    assertThat(cloud(c, Duration.ofHours(25))).isEqualTo(WindowChoice.TEMPLATE);
    assertThat(cloud(c, null)).isEqualTo(WindowChoice.TEMPLATE);
    // a minute before the window closes counts as closed: the text could arrive too late
    assertThat(cloud(c, Duration.ofHours(24).minusSeconds(30))).isEqualTo(WindowChoice.TEMPLATE);
  }

  @Test
  void shouldFollowEachPolicy() {
    assertThat(cloud(cmd(TEMPLATE, WindowPolicy.TEMPLATE_ALWAYS), Duration.ofMinutes(1)))
        .isEqualTo(WindowChoice.TEMPLATE);
    assertThat(cloud(cmd(null, WindowPolicy.SKIP_OUTSIDE), null)).isEqualTo(WindowChoice.SKIP);
    assertThat(cloud(cmd(null, WindowPolicy.SKIP_OUTSIDE), Duration.ofHours(1)))
        .isEqualTo(WindowChoice.TEXT);
    assertThat(cloud(cmd(TEMPLATE, WindowPolicy.FREE_TEXT), null)).isEqualTo(WindowChoice.TEXT);
    assertThat(cloud(cmd(null, null), null)).isEqualTo(WindowChoice.TEXT);
    assertThat(WindowChoice.needsWindow(cmd(null, null), true)).isFalse();
    // a template always sent still looks: outside the window it counts against the messaging limit
    assertThat(WindowChoice.needsWindow(cmd(TEMPLATE, WindowPolicy.TEMPLATE_ALWAYS), true))
        .isTrue();
  }

  @Test
  void shouldSendTextOnGatewaysWhateverThePolicy() {
    SendCommand c = cmd(TEMPLATE, WindowPolicy.TEMPLATE_ALWAYS);

    assertThat(WindowChoice.needsWindow(c, false)).isFalse();
    assertThat(WindowChoice.of(c, false, null, NOW)).isEqualTo(WindowChoice.TEXT);
    assertThat(WindowChoice.TEXT.apply(c).sendsTemplate()).isFalse();
    assertThat(WindowChoice.TEXT.apply(c).template()).isNull();
    assertThat(WindowChoice.TEMPLATE.apply(cmd(TEMPLATE, null)).sendsTemplate()).isTrue();
  }
}
