package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.WindowPolicy;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 §1, §3 (ADR 0021): the sender decides at send time, by each recipient's 24-hour window
 * on the device, between free text and the definition's template, or skips; against a fake Cloud
 * API that refuses free text outside the window (131047) and unknown templates (132001).
 */
class TemplateWindowIT extends SenderItSupport {

  private static final Instant OCCURRENCE = Instant.parse("2026-06-01T08:00:00Z");

  @BeforeAll
  static void infra() {
    setUpInfra();
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeWhatsAppApi.start();
    fake.enforceWindows().approveTemplate("class_reminder", "id", 1);
    startGroupAtEnd();
  }

  @AfterEach
  void stop() {
    tearDownApps();
  }

  private SendCommand command(
      String device, String to, MessageTemplate template, WindowPolicy policy) {
    SendCommand c =
        command(device, "recurring:" + UUID.randomUUID(), OCCURRENCE, to, PacingSpec.none());
    return new SendCommand(
        c.schemaVersion(),
        c.commandId(),
        c.tenantId(),
        c.deviceId(),
        c.scheduleKey(),
        c.kind(),
        c.occurrenceAt(),
        c.recipient(),
        c.recipientType(),
        c.contactId(),
        c.text(),
        c.mediaUrl(),
        c.pacing(),
        c.attempt(),
        c.notAfter(),
        template,
        policy);
  }

  private static MessageTemplate template(String name, String bodyText) {
    return new MessageTemplate(
        name,
        "id",
        List.of(
            new MessageTemplate.Component(
                "body",
                null,
                null,
                List.of(new MessageTemplate.Parameter("text", bodyText, null)))));
  }

  private Request only(SendCommand c) {
    List<Request> rs =
        fake.requests().stream()
            .filter(r -> r.commandId().orElse("").equals(c.commandId().value()))
            .toList();
    assertThat(rs).as("requests of %s", c.recipient()).hasSize(1);
    return rs.get(0);
  }

  private Map<String, Object> delivery(SendCommand c) throws Exception {
    return query(
            "SELECT status, sent_as, error_code FROM deliveries WHERE command_id = ?",
            c.commandId().value())
        .get(0);
  }

  @Test
  void shouldSendTextInsideTheWindowAndTheTemplateOutsideItOrSkip() throws Exception {
    String device = cloudDevice();
    String inside = phone(900_001);
    String outside = phone(900_002);
    String neverWrote = phone(900_003);
    Instant wrote = Instant.now().minus(Duration.ofHours(1));
    fake.inbound(inside, wrote);
    // what the webhook projection records of that inbound message
    update(
        "INSERT INTO contact_windows (device_id, wa_id, last_inbound_at) VALUES (?::uuid, ?, ?)",
        device,
        inside.substring(1),
        Timestamp.from(wrote));
    startSenderAndAwaitReady();

    MessageTemplate reminder = template("class_reminder", "Ada");
    SendCommand textInside = command(device, inside, reminder, WindowPolicy.FALLBACK_TEMPLATE);
    SendCommand templateOutside = command(device, outside, reminder, null); // default: fallback
    SendCommand skipped = command(device, neverWrote, null, WindowPolicy.SKIP_OUTSIDE);
    SendCommand alwaysTemplate = command(device, inside, reminder, WindowPolicy.TEMPLATE_ALWAYS);
    SendCommand freeTextOutside = command(device, outside, null, null);
    SendCommand unknownTemplate =
        command(device, neverWrote, template("no_such_template", "x"), null);
    List<SendCommand> all =
        List.of(
            textInside, templateOutside, skipped, alwaysTemplate, freeTextOutside, unknownTemplate);
    produce(all, null);

    await("every command recorded")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Map<String, String> st = statuses();
              return all.stream()
                  .map(c -> st.get(c.commandId().value()))
                  .allMatch(v -> v != null && !v.equals("claimed"));
            });

    assertThat(only(textInside).type()).isEqualTo("text");
    assertThat(delivery(textInside))
        .containsEntry("status", "sent")
        .containsEntry("sent_as", "text");

    Request t = only(templateOutside);
    assertThat(t.type()).isEqualTo("template");
    assertThat(t.text()).isEqualTo("class_reminder");
    assertThat(t.body()).contains("\"language\":{\"code\":\"id\"}").contains("\"text\":\"Ada\"");
    assertThat(delivery(templateOutside))
        .containsEntry("status", "sent")
        .containsEntry("sent_as", "template");

    assertThat(fake.requests())
        .noneMatch(r -> r.commandId().orElse("").equals(skipped.commandId().value()));
    assertThat(delivery(skipped))
        .containsEntry("status", "skipped")
        .containsEntry("error_code", "outside_window");

    assertThat(only(alwaysTemplate).type()).isEqualTo("template");
    assertThat(delivery(alwaysTemplate)).containsEntry("sent_as", "template");

    assertThat(only(freeTextOutside).type()).isEqualTo("text");
    assertThat(delivery(freeTextOutside))
        .containsEntry("status", "failed")
        .containsEntry("error_code", "131047");

    assertThat(only(unknownTemplate).type()).isEqualTo("template");
    assertThat(delivery(unknownTemplate))
        .containsEntry("status", "failed")
        .containsEntry("error_code", "132001");
  }
}
