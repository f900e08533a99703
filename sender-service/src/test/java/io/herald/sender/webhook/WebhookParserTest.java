package io.herald.sender.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.sender.webhook.ParsedWebhook.InboundMessage;
import io.herald.sender.webhook.ParsedWebhook.QualityUpdate;
import io.herald.sender.webhook.ParsedWebhook.StatusEvent;
import io.herald.sender.webhook.WebhookParser.MalformedWebhookException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookParserTest {

  private final WebhookParser parser = new WebhookParser(new OptOutKeywords(List.of("STOP")));

  private static String body(String field, String value) {
    return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\",\"changes\":"
        + "[{\"field\":\""
        + field
        + "\",\"value\":"
        + value
        + "}]}]}";
  }

  private static String messagesValue(String items) {
    return "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550001\","
        + "\"phone_number_id\":\"PN1\"},"
        + items
        + "}";
  }

  @Nested
  class Statuses {

    @Test
    void shouldReadStatusesWithErrorWhenBodyBatchesThem() throws Exception {
      ParsedWebhook w =
          parser.parse(
              body(
                  "messages",
                  messagesValue(
                      "\"statuses\":[{\"id\":\"wamid.A\",\"status\":\"delivered\",\"timestamp\":"
                          + "\"1765100000\",\"recipient_id\":\"628111\"},"
                          + "{\"id\":\"wamid.B\",\"status\":\"failed\",\"timestamp\":1765100001,"
                          + "\"errors\":[{\"code\":131026,\"title\":\"Message undeliverable\","
                          + "\"message\":\"Receiver incapable\"}]}]")));
      assertThat(w.statuses())
          .containsExactly(
              new StatusEvent(
                  "PN1",
                  "wamid.A",
                  ProviderStatus.DELIVERED,
                  Instant.ofEpochSecond(1765100000L),
                  null,
                  null),
              new StatusEvent(
                  "PN1",
                  "wamid.B",
                  ProviderStatus.FAILED,
                  Instant.ofEpochSecond(1765100001L),
                  "131026",
                  "Message undeliverable: Receiver incapable"));
      assertThat(w.invalidItems()).isZero();
    }

    @Test
    void shouldSkipAndCountStatusWhenIdOrStatusIsUnusable() throws Exception {
      ParsedWebhook w =
          parser.parse(
              body(
                  "messages",
                  messagesValue(
                      "\"statuses\":[{\"status\":\"read\"},{\"id\":\"wamid.C\",\"status\":"
                          + "\"deleted\"},{\"id\":\"wamid.D\",\"status\":\"read\",\"timestamp\":"
                          + "\"soon\"}]")));
      assertThat(w.statuses())
          .extracting(StatusEvent::messageId, StatusEvent::at)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("wamid.D", null));
      assertThat(w.invalidItems()).isEqualTo(2);
    }

    @Test
    void shouldSkipStatusWhenChangeHasNoPhoneNumberId() throws Exception {
      ParsedWebhook w =
          parser.parse(
              body("messages", "{\"statuses\":[{\"id\":\"wamid.E\",\"status\":\"sent\"}]}"));
      assertThat(w.statuses()).isEmpty();
      assertThat(w.invalidItems()).isEqualTo(1);
    }
  }

  @Nested
  class Messages {

    @Test
    void shouldFlagOptOutWhenTextIsKeyword() throws Exception {
      ParsedWebhook w =
          parser.parse(
              body(
                  "messages",
                  messagesValue(
                      "\"contacts\":[{\"profile\":{\"name\":\"A\"},\"wa_id\":\"628111\"}],"
                          + "\"messages\":[{\"from\":\"628111\",\"id\":\"wamid.M1\",\"timestamp\":"
                          + "\"1765100002\",\"type\":\"text\",\"text\":{\"body\":\"  stop \"}},"
                          + "{\"from\":\"628112\",\"id\":\"wamid.M2\",\"timestamp\":\"1765100003\","
                          + "\"type\":\"text\",\"text\":{\"body\":\"please stop\"}},"
                          + "{\"from\":\"628113\",\"id\":\"wamid.M3\",\"timestamp\":\"1765100004\","
                          + "\"type\":\"image\",\"image\":{\"caption\":\"STOP\"}}]")));
      assertThat(w.messages())
          .containsExactly(
              new InboundMessage("PN1", "628111", Instant.ofEpochSecond(1765100002L), true),
              new InboundMessage("PN1", "628112", Instant.ofEpochSecond(1765100003L), false),
              new InboundMessage("PN1", "628113", Instant.ofEpochSecond(1765100004L), false));
    }

    @Test
    void shouldSkipMessageWhenFromIsMissing() throws Exception {
      ParsedWebhook w =
          parser.parse(body("messages", messagesValue("\"messages\":[{\"type\":\"text\"}]")));
      assertThat(w.messages()).isEmpty();
      assertThat(w.invalidItems()).isEqualTo(1);
    }
  }

  @Nested
  class Quality {

    @Test
    void shouldReadEventAndTierWhenQualityUpdate() throws Exception {
      ParsedWebhook w =
          parser.parse(
              body(
                  "phone_number_quality_update",
                  "{\"display_phone_number\":\"+1 555-000-1\",\"event\":\"DOWNGRADE\","
                      + "\"old_limit\":\"TIER_1K\",\"current_limit\":\"TIER_250\"}"));
      assertThat(w.qualityUpdates())
          .containsExactly(
              new QualityUpdate(
                  null, "15550001", "DOWNGRADE", "DOWNGRADE", new ReportedLimit(false, 250)));
    }

    @Test
    void shouldPreferRatingAndNewLimitFieldWhenPresent() throws Exception {
      ParsedWebhook w =
          parser.parse(
              body(
                  "phone_number_quality_update",
                  "{\"display_phone_number\":\"15550001\",\"event\":\"FLAGGED\","
                      + "\"quality_rating\":\"red\","
                      + "\"max_daily_conversations_per_business\":\"TIER_UNLIMITED\"}"));
      QualityUpdate q = w.qualityUpdates().get(0);
      assertThat(q.rating()).isEqualTo("RED");
      assertThat(q.limit()).isEqualTo(new ReportedLimit(true, null));
    }

    @Test
    void shouldSkipQualityUpdateWhenItNamesNoNumber() throws Exception {
      ParsedWebhook w =
          parser.parse(body("phone_number_quality_update", "{\"event\":\"UPGRADE\"}"));
      assertThat(w.qualityUpdates()).isEmpty();
      assertThat(w.invalidItems()).isEqualTo(1);
    }
  }

  @Test
  void shouldIgnoreChangeWhenFieldIsNotProjected() throws Exception {
    ParsedWebhook w =
        parser.parse(body("message_template_status_update", "{\"event\":\"APPROVED\"}"));
    assertThat(w.statuses()).isEmpty();
    assertThat(w.messages()).isEmpty();
    assertThat(w.qualityUpdates()).isEmpty();
    assertThat(w.invalidItems()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "not json",
        "[1,2]",
        "\"entry\"",
        "{\"object\":\"x\"}",
        "{\"entry\":3}"
      })
  void shouldRefuseBodyWhenItIsNotAWebhook(String body) {
    assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(MalformedWebhookException.class);
  }

  @Test
  void shouldRefuseBodyWhenNull() {
    assertThatThrownBy(() -> parser.parse(null)).isInstanceOf(MalformedWebhookException.class);
  }

  @Test
  void shouldStopAtCapsWhenBodyHoldsTooManyItems() throws Exception {
    StringBuilder statuses = new StringBuilder("\"statuses\":[");
    int n = WebhookParser.MAX_ITEMS + 10;
    for (int i = 0; i < n; i++) {
      statuses.append(i == 0 ? "" : ",").append("{\"id\":\"wamid.").append(i);
      statuses.append("\",\"status\":\"sent\"}");
    }
    ParsedWebhook w =
        parser.parse(body("messages", messagesValue(statuses.append("]").toString())));
    assertThat(w.statuses()).hasSize(WebhookParser.MAX_ITEMS);
    assertThat(w.droppedItems()).isEqualTo(10);
  }

  @Test
  void shouldStopAtEntryCapWhenBodyHoldsTooManyEntries() throws Exception {
    StringBuilder entries = new StringBuilder("{\"entry\":[");
    for (int i = 0; i < WebhookParser.MAX_ENTRIES + 3; i++) {
      entries.append(i == 0 ? "" : ",").append("{\"changes\":[]}");
    }
    ParsedWebhook w = parser.parse(entries.append("]}").toString());
    assertThat(w.droppedItems()).isEqualTo(3);
  }

  @Test
  void shouldClipIdsWhenOverlong() throws Exception {
    String longId = "wamid." + "x".repeat(10_000);
    ParsedWebhook w =
        parser.parse(
            body(
                "messages",
                messagesValue("\"statuses\":[{\"id\":\"" + longId + "\",\"status\":\"sent\"}]")));
    assertThat(w.statuses().get(0).messageId().length())
        .isLessThanOrEqualTo(WebhookParser.MAX_ID_CHARS);
  }
}
