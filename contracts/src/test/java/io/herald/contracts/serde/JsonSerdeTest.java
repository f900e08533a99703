package io.herald.contracts.serde;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.schema.Golden;
import io.herald.contracts.schema.Payload;
import io.herald.contracts.schema.Samples;
import io.herald.contracts.schema.Schemas;
import io.herald.contracts.topic.Topics;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSerdeTest {

  /** Not JSON at all: what a misconfigured producer (Avro, a string serializer, kcat) may send. */
  static final String[] NOT_JSON = {
    "hello", "{\"op\":", "recurring:1|{\"op\":\"delete\"}", "\u0000\u0001binary", "{'op':'delete'}"
  };

  /** JSON, but not the shape of any contract record. */
  static final String[] WRONG_SHAPE = {
    "[1,2,3]",
    "\"a string\"",
    "42",
    "true",
    "{\"schemaVersion\":\"one\"}",
    "{\"schemaVersion\":{\"major\":1}}"
  };

  static Stream<Arguments> notJson() {
    return Stream.of(Payload.values())
        .flatMap(p -> Stream.of(NOT_JSON).map(s -> Arguments.of(p, s)));
  }

  static Stream<Arguments> wrongShape() {
    return Stream.of(Payload.values())
        .flatMap(p -> Stream.of(WRONG_SHAPE).map(s -> Arguments.of(p, s)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("notJson")
  void shouldThrowSerializationExceptionNamingTypeWhenPayloadIsNotJson(
      Payload payload, String raw) {
    assertThatThrownBy(() -> payload.deserialize(raw.getBytes(UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(payload.type().getSimpleName())
        .hasMessageContaining(payload.topic().name());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("wrongShape")
  void shouldThrowSerializationExceptionNamingTypeWhenJsonHasWrongShape(
      Payload payload, String json) {
    assertThatThrownBy(() -> payload.deserialize(json.getBytes(UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(payload.type().getSimpleName());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"op\":\"merge\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\"}",
        "{\"op\":\"delete\",\"scheduleKey\":\"recurring:1\",\"kind\":\"weekly\"}",
        "{\"op\":\"upsert\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\",\"rule\":\"daily\"}",
        "{\"op\":\"upsert\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\",\"recipients\":\"+6281234567890\"}",
        "{\"op\":\"upsert\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\",\"active\":\"maybe\"}",
        "{\"op\":\"upsert\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\",\"createdAt\":\"2025-03-03T01:30:00\"}",
        "{\"op\":\"upsert\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\",\"rule\":{\"daysOfWeek\":[\"MON\"]}}"
      })
  void shouldThrowSerializationExceptionNamingTypeWhenScheduleChangeFieldHasWrongType(String json) {
    assertThatThrownBy(() -> Payload.SCHEDULE_CHANGE.deserialize(json.getBytes(UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("ScheduleChange")
        .hasMessageContaining(Topics.SCHEDULE_CHANGES.name());
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldThrowSerializationExceptionWhenValueIsEmptyNotNull(Payload payload) {
    assertThatThrownBy(() -> payload.deserialize(new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(payload.type().getSimpleName());
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldReturnNullWhenValueIsTombstone(Payload payload) {
    assertThat(payload.deserialize(null)).isNull();
    assertThat(payload.serialize(null)).isNull();
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldIgnoreUnknownFieldsWhenPayloadCarriesThem(Payload payload) {
    String name = Golden.names(payload).get(0);
    ObjectNode json = (ObjectNode) Schemas.parse(Golden.bytes(payload, name));
    Object plain = payload.deserialize(json.toString().getBytes(UTF_8));
    json.put("zzAddedInVersion2", "ignored");
    json.putObject("zzNested").putArray("deep").add(1).addObject().put("x", true);
    json.putNull("zzNull");

    Object extended = payload.deserialize(json.toString().getBytes(UTF_8));

    assertThat(extended).isEqualTo(plain);
    assertThat(new String(payload.serialize(extended), UTF_8)).doesNotContain("zz");
  }

  @Test
  void shouldDefaultAbsentPrimitivesWhenPayloadPredatesThem() {
    ScheduleChange delete =
        (ScheduleChange)
            Payload.SCHEDULE_CHANGE.deserialize(
                "{\"op\":\"delete\",\"scheduleKey\":\"autopost:9\",\"kind\":\"autopost\"}"
                    .getBytes(UTF_8));

    assertThat(delete.schemaVersion()).isZero();
    assertThat(delete.active()).isFalse();
    assertThat(delete.sourceVersion()).isZero();
    assertThat(delete.op()).isEqualTo(ChangeOp.DELETE);
    assertThat(delete.kind()).isEqualTo(ScheduleKind.AUTOPOST);
  }

  @Test
  void shouldDefaultPrimitiveWhenProducerSendsExplicitNull() {
    Occurrence o =
        (Occurrence)
            Payload.OCCURRENCE.deserialize(
                "{\"scheduleKey\":\"recurring:1\",\"finished\":null,\"recipientCount\":null}"
                    .getBytes(UTF_8));

    assertThat(o.finished()).isFalse();
    assertThat(o.recipientCount()).isZero();
  }

  @Test
  void shouldOmitNullsAndWriteLowerCaseWireValuesWhenRecordIsSerialized() {
    String json =
        new String(
            Payload.SCHEDULE_CHANGE.serialize(
                ScheduleChange.delete("broadcast:7", ScheduleKind.BROADCAST, 3L)),
            UTF_8);

    assertThat(json)
        .isEqualTo(
            "{\"schemaVersion\":1,\"op\":\"delete\",\"scheduleKey\":\"broadcast:7\","
                + "\"kind\":\"broadcast\",\"active\":false,\"sourceVersion\":3,"
                + "\"mappingErrors\":[]}");
  }

  @Test
  void shouldWriteIsoInstantWithNanosecondsWhenInstantHasThem() {
    ScheduleChange change =
        new ScheduleChange(
            1,
            ChangeOp.DELETE,
            "recurring:1",
            ScheduleKind.RECURRING,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            false,
            null,
            0L,
            Samples.NANO_OCCURRENCE,
            null);

    String json = new String(Payload.SCHEDULE_CHANGE.serialize(change), UTF_8);

    assertThat(json).contains("\"createdAt\":\"2025-03-03T01:30:00.000000001Z\"");
    assertThat(read(json).createdAt()).isEqualTo(Samples.NANO_OCCURRENCE);
  }

  @Test
  void shouldReadSameInstantWhenProducerWritesAnotherOffset() {
    ScheduleChange utc = read("{\"createdAt\":\"2025-03-03T01:30:00Z\"}");
    ScheduleChange jakarta = read("{\"createdAt\":\"2025-03-03T08:30:00+07:00\"}");

    assertThat(jakarta.createdAt()).isEqualTo(utc.createdAt()).isEqualTo(Samples.OCCURRENCE);
  }

  @Test
  void shouldReadWireValuesCaseInsensitivelyWhenProducerIsLenient() {
    ScheduleChange change =
        read("{\"op\":\" UPSERT \",\"scheduleKey\":\"recurring:1\",\"kind\":\"Recurring\"}");

    assertThat(change.op()).isEqualTo(ChangeOp.UPSERT);
    assertThat(change.kind()).isEqualTo(ScheduleKind.RECURRING);
  }

  @Test
  void shouldExposeTypeWhenSerdeIsAsked() {
    assertThat(new JsonSerde<>(ScheduleChange.class).type()).isEqualTo(ScheduleChange.class);
    assertThat(Topics.SCHEDULE_CHANGES.valueSerde().serializer())
        .isSameAs(Topics.SCHEDULE_CHANGES.valueSerde().deserializer());
  }

  @Test
  void shouldReturnSameMapperWhenAskedTwice() {
    assertThat(Json.mapper()).isSameAs(Json.mapper());
  }

  private static ScheduleChange read(String json) {
    return (ScheduleChange) Payload.SCHEDULE_CHANGE.deserialize(json.getBytes(UTF_8));
  }
}
