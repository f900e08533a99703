package io.herald.webhook.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookBodyTest {

  private static WebhookBody.Read read(String json) throws WebhookBody.Unreadable {
    return WebhookBody.read(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldKeyByTheFirstPhoneNumberIdWhenSeveralEntriesAndChangesCome() throws Exception {
    String body =
        "{\"object\":\"whatsapp_business_account\",\"entry\":["
            + "{\"id\":\"1\",\"changes\":[{\"field\":\"account_update\",\"value\":{}}]},"
            + "{\"id\":\"2\",\"changes\":["
            + "{\"field\":\"messages\",\"value\":{\"metadata\":{\"phone_number_id\":\"106540352242922\"}}},"
            + "{\"field\":\"messages\",\"value\":{\"metadata\":{\"phone_number_id\":\"999\"}}}]}]}";
    WebhookBody.Read r = read(body);
    assertThat(r.phoneNumberId()).isEqualTo("106540352242922");
    assertThat(r.text()).isEqualTo(body);
  }

  @Test
  void shouldTakeTheDigitsWhenThePhoneNumberIdIsANumber() throws Exception {
    assertThat(
            read("{\"entry\":[{\"changes\":[{\"value\":{\"metadata\":{\"phone_number_id\":42}}}]}]}")
                .phoneNumberId())
        .isEqualTo("42");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"entry\":[]}",
        "{\"entry\":{\"changes\":1}}",
        "{\"entry\":[{\"changes\":[{\"field\":\"phone_number_quality_update\","
            + "\"value\":{\"display_phone_number\":\"15550001111\",\"current_limit\":\"TIER_1K\"}}]}]}",
        "{\"entry\":[{\"changes\":[{\"value\":{\"metadata\":{\"phone_number_id\":{\"x\":1}}}}]}]}"
      })
  void shouldHaveNoKeyWhenNoChangeNamesAPhoneNumberId(String body) throws Exception {
    assertThat(read(body).phoneNumberId()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"text\"", "42", "null", "not json", "{\"a\":", "{} {}", ""})
  void shouldRefuseWhenTheBodyIsNotOneJsonObject(String body) {
    assertThatThrownBy(() -> read(body)).isInstanceOf(WebhookBody.Unreadable.class);
  }

  @Test
  void shouldRefuseWhenTheBytesAreNotUtf8() {
    byte[] latin1 = "{\"a\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> WebhookBody.read(latin1))
        .isInstanceOf(WebhookBody.Unreadable.class)
        .hasMessage("not UTF-8");
  }

  @Test
  void shouldRefuseWhenNestedDeeperThanTheBound() {
    String deep =
        "{\"a\":".repeat(WebhookBody.MAX_NESTING_DEPTH + 1)
            + "1"
            + "}".repeat(WebhookBody.MAX_NESTING_DEPTH + 1);
    assertThatThrownBy(() -> read(deep)).isInstanceOf(WebhookBody.Unreadable.class);
  }
}
