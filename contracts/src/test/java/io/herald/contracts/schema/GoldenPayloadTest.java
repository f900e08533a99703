package io.herald.contracts.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden examples are what another language may put on the wire. Each must validate against its
 * schema, be read by the topic's serde, and survive a write-read round trip unchanged.
 */
class GoldenPayloadTest {

  static Stream<Arguments> allGolden() {
    return Golden.all();
  }

  static Stream<Arguments> knownGolden() {
    return Golden.known();
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("allGolden")
  void shouldValidateAgainstSchemaWhenGoldenFileIsRead(Payload payload, String name) {
    Schemas.assertValid(payload, Golden.bytes(payload, name), "golden " + name);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("allGolden")
  void shouldRoundTripToEqualRecordWhenGoldenFileIsReadAndWrittenAgain(
      Payload payload, String name) {
    Object read = payload.deserialize(Golden.bytes(payload, name));
    assertThat(read).isInstanceOf(payload.type());

    byte[] written = payload.serialize(read);
    Object readAgain = payload.deserialize(written);

    assertThat(readAgain).isEqualTo(read);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("allGolden")
  void shouldWriteSchemaValidJsonWhenGoldenRecordIsWrittenAgain(Payload payload, String name) {
    Object read = payload.deserialize(Golden.bytes(payload, name));

    Schemas.assertValid(payload, payload.serialize(read), "re-serialized golden " + name);
  }

  /**
   * Catches a golden property Java silently drops (a misspelt name reads as an unknown field) and a
   * value that changes on the way through (an instant that is not canonical UTC, a number).
   */
  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("knownGolden")
  void shouldKeepEveryGoldenValueWhenGoldenRecordIsWrittenAgain(Payload payload, String name) {
    JsonNode golden = Schemas.parse(Golden.bytes(payload, name));
    JsonNode written =
        Schemas.parse(payload.serialize(payload.deserialize(Golden.bytes(payload, name))));

    assertContains(golden, written, name + ":$");
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldHaveAtLeastOneGoldenFileWhenPayloadHasSchema(Payload payload) {
    assertThat(Golden.names(payload)).isNotEmpty();
  }

  @Test
  void shouldCoverEveryKindAndDeleteAndUnknownFieldsWhenScheduleChangeGoldensAreListed() {
    Stream<ScheduleChange> changes =
        Golden.names(Payload.SCHEDULE_CHANGE).stream()
            .map(
                n ->
                    (ScheduleChange)
                        Payload.SCHEDULE_CHANGE.deserialize(
                            Golden.bytes(Payload.SCHEDULE_CHANGE, n)));

    assertThat(changes.map(c -> c.op() + "/" + c.kind()))
        .contains("UPSERT/RECURRING", "UPSERT/BROADCAST", "UPSERT/AUTOPOST", "DELETE/RECURRING");
    assertThat(Golden.names(Payload.SCHEDULE_CHANGE))
        .anyMatch(n -> n.contains(Golden.UNKNOWN_FIELDS_MARKER));
  }

  @Test
  void shouldReadSameRecordWhenGoldenCarriesUnknownFields() {
    Payload p = Payload.SCHEDULE_CHANGE;
    Object plain = p.deserialize(Golden.bytes(p, "recurring-upsert.json"));
    Object extended = p.deserialize(Golden.bytes(p, "recurring-upsert-with-unknown-fields.json"));

    assertThat(extended).isEqualTo(plain);
    String written = new String(p.serialize(extended));
    assertThat(written)
        .doesNotContain("priority", "producedBy", "labels", "holidayCalendar", "quietHours");
  }

  @Test
  void shouldReadDeleteWithDefaultsWhenDeleteCarriesOnlyOpKeyAndKind() {
    ScheduleChange delete =
        (ScheduleChange)
            Payload.SCHEDULE_CHANGE.deserialize(
                Golden.bytes(Payload.SCHEDULE_CHANGE, "delete.json"));

    assertThat(delete.op()).isEqualTo(ChangeOp.DELETE);
    assertThat(delete.kind()).isEqualTo(ScheduleKind.RECURRING);
    assertThat(delete.scheduleKey()).isEqualTo("recurring:5f0c6a8e-3b7d-4c1a-9e2f-1a2b3c4d5e6f");
    assertThat(delete.scheduleId()).isEqualTo("5f0c6a8e-3b7d-4c1a-9e2f-1a2b3c4d5e6f");
    assertThat(delete.active()).isFalse();
    assertThat(delete.sourceVersion()).isZero();
    assertThat(delete.recipients()).isNull();
    assertThat(delete.mappingErrors()).isEmpty();
  }

  @Test
  void shouldCarryDerivedCommandIdWhenGoldenSendCommandIsRead() {
    for (String name : Golden.names(Payload.SEND_COMMAND)) {
      SendCommand c =
          (SendCommand) Payload.SEND_COMMAND.deserialize(Golden.bytes(Payload.SEND_COMMAND, name));

      assertThat(c.commandId())
          .as(name)
          .isEqualTo(CommandId.of(c.scheduleKey(), c.occurrenceAt(), c.recipient()));
    }
  }

  /** Every non-null value of {@code expected} is in {@code actual}; numbers compare by value. */
  static void assertContains(JsonNode expected, JsonNode actual, String path) {
    if (expected.isNull()) {
      return; // null and absent are the same on the wire (the writer omits nulls)
    }
    assertThat(actual.isMissingNode())
        .as("%s was dropped on the way through Java (misspelt or unknown property?)", path)
        .isFalse();
    if (expected.isObject()) {
      assertThat(actual.isObject()).as("%s is an object", path).isTrue();
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        assertContains(e.getValue(), actual.path(e.getKey()), path + "." + e.getKey());
      }
    } else if (expected.isArray()) {
      assertThat(actual.size()).as("%s size", path).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertContains(expected.get(i), actual.get(i), path + "[" + i + "]");
      }
    } else if (expected.isNumber()) {
      assertThat(actual.isNumber()).as("%s is a number", path).isTrue();
      assertThat(actual.decimalValue()).as(path).isEqualByComparingTo(expected.decimalValue());
    } else {
      assertThat(actual).as(path).isEqualTo(expected);
    }
  }
}
