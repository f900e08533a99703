package io.herald.contracts.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.contracts.topic.Topics;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContactInfoTest {

  @Test
  void shouldDropNullValueWhenContactFieldsContainNull() {
    Map<String, String> fields = new HashMap<>();
    fields.put("company", null);
    fields.put("city", "Bandung");

    ContactInfo contact =
        new ContactInfo(1, "c1", "t1", "+6281234567890", null, fields, true, false);

    assertThat(contact.fields()).containsExactly(Map.entry("city", "Bandung"));
  }

  /** Regression: a null field value used to dead-letter the whole contact, opt-out included. */
  @Test
  void shouldKeepOptOutWhenPayloadFieldsContainNull() {
    String json =
        "{\"schemaVersion\":1,\"contactId\":\"c1\",\"tenantId\":\"t1\","
            + "\"phoneNumber\":\"+6281234567890\",\"fields\":{\"company\":null},"
            + "\"optedOut\":true,\"deleted\":false}";

    ContactInfo contact =
        Topics.CONTACTS
            .valueSerde()
            .deserializer()
            .deserialize(Topics.CONTACTS.name(), json.getBytes(UTF_8));

    assertThat(contact.optedOut()).isTrue();
    assertThat(contact.fields()).isEmpty();
  }

  @Test
  void shouldReturnEmptyImmutableFieldsWhenFieldsAreNull() {
    ContactInfo contact = new ContactInfo(1, "c1", "t1", "+1", null, null, false, false);

    assertThat(contact.fields()).isEmpty();
    assertThatThrownBy(() -> contact.fields().put("a", "b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void shouldCopyFieldsWhenCallerMutatesOriginal() {
    Map<String, String> fields = new HashMap<>(Map.of("a", "1"));
    ContactInfo contact = new ContactInfo(1, "c1", "t1", "+1", null, fields, false, false);

    fields.put("b", "2");

    assertThat(contact.fields()).containsOnlyKeys("a");
    assertThat(contact)
        .isEqualTo(new ContactInfo(1, "c1", "t1", "+1", null, Map.of("a", "1"), false, false));
  }
}
