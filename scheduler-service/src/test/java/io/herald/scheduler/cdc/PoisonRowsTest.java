package io.herald.scheduler.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.Json;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PoisonRowsTest {

  private static final ObjectMapper JSON = Json.mapper();
  private static final String ID = "3f0c2a55-6f4e-4c59-9c2e-1b2d3e4f5a6b";
  private static final String TENANT = "11111111-1111-1111-1111-111111111111";
  private static final String DEVICE = "22222222-2222-2222-2222-222222222222";
  private static final long LSN = 33_000_000L;

  @Nested
  class Stubs {

    @Test
    void shouldNameSizeAndLimitWithThousandsSeparatorsWhenDefinitionIsTooLarge() {
      assertThat(PoisonRows.tooLargeError(5_242_990))
          .isEqualTo("definition too large: 5,242,990 bytes, limit 4,194,304");
    }

    @Test
    void shouldKeepIdentityAndDropContentWhenStubbingADefinition() {
      ScheduleChange original =
          new ScheduleChange(
              1,
              ChangeOp.UPSERT,
              "recurring:" + ID,
              ScheduleKind.RECURRING,
              TENANT,
              DEVICE,
              "name",
              "m".repeat(1000),
              null,
              List.of("+4915112345678"),
              null,
              null,
              false,
              null,
              LSN,
              null,
              List.of());

      ScheduleChange stub = PoisonRows.stub(original, "definition too large: 1 bytes, limit 0");

      assertThat(stub)
          .isEqualTo(
              new ScheduleChange(
                  1,
                  ChangeOp.UPSERT,
                  "recurring:" + ID,
                  ScheduleKind.RECURRING,
                  TENANT,
                  DEVICE,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  true,
                  null,
                  LSN,
                  null,
                  List.of("definition too large: 1 bytes, limit 0")));
    }

    @Test
    void shouldClipTenantAndDeviceIdsWhenStubbing() {
      ScheduleChange original =
          new ScheduleChange(
              1,
              ChangeOp.UPSERT,
              "broadcast:" + ID,
              ScheduleKind.BROADCAST,
              "t".repeat(10_000),
              "d".repeat(10_000),
              null,
              null,
              null,
              null,
              null,
              null,
              true,
              "scheduled",
              LSN,
              null,
              List.of());

      ScheduleChange stub = PoisonRows.stub(original, "x");

      assertThat(stub.tenantId()).hasSizeLessThanOrEqualTo(Limits.ID_MAX_CHARS);
      assertThat(stub.deviceId()).hasSizeLessThanOrEqualTo(Limits.ID_MAX_CHARS);
      assertThat(stub.sourceStatus()).isNull();
      byte[] wire =
          Topics.SCHEDULE_CHANGES
              .valueSerde()
              .serializer()
              .serialize(Topics.SCHEDULE_CHANGES.name(), stub);
      assertThat(wire.length).isLessThan(1_024);
    }

    @Test
    void shouldStubUnreadableDefinitionFromItsEnvelope() {
      PoisonRows.Source source =
          PoisonRows.source(
              JSON, envelope("auto_post_schedules", "u").toString(), "{\"id\":\"" + ID + "\"}");

      ScheduleChange stub = PoisonRows.unreadable(source, "row could not be read: boom");

      assertThat(stub.scheduleKey()).isEqualTo("autopost:" + ID);
      assertThat(stub.kind()).isEqualTo(ScheduleKind.AUTOPOST);
      assertThat(stub.tenantId()).isEqualTo(TENANT);
      assertThat(stub.deviceId()).isEqualTo(DEVICE);
      assertThat(stub.sourceVersion()).isEqualTo(LSN);
      assertThat(stub.active()).isTrue();
      assertThat(stub.mappingErrors()).containsExactly("row could not be read: boom");
    }

    @Test
    void shouldPassDeleteOnWhenUnreadableRowWasDeleted() {
      PoisonRows.Source source =
          PoisonRows.source(JSON, envelope("broadcasts", "d").toString(), null);

      assertThat(PoisonRows.unreadable(source, "x"))
          .isEqualTo(ScheduleChange.delete("broadcast:" + ID, ScheduleKind.BROADCAST, LSN));
    }

    @Test
    void shouldNotStubWhenRowIsAContact() {
      PoisonRows.Source source =
          PoisonRows.source(JSON, envelope("contacts", "c").toString(), null);

      assertThat(PoisonRows.unreadable(source, "x")).isNull();
    }

    @Test
    void shouldKeepOnlyFirstLineClippedWhenExplainingUnreadableRow() {
      String error =
          PoisonRows.unreadableError(
              new IllegalStateException("x".repeat(5_000) + "\nsecond line"));

      assertThat(error)
          .startsWith("row could not be read: IllegalStateException: xxx")
          .doesNotContain("second line")
          .hasSizeLessThanOrEqualTo(Limits.ERROR_REASON_MAX_CHARS);
    }
  }

  @Nested
  class Sources {

    @Test
    void shouldKnowOnlyDebeziumKeyWhenValueIsNotJson() {
      PoisonRows.Source source = PoisonRows.source(JSON, "{not json", "{\"id\":\"k\"}");

      assertThat(source)
          .isEqualTo(new PoisonRows.Source(null, null, null, null, null, -1, "{\"id\":\"k\"}"));
      assertThat(source.eventKey()).isEqualTo("{\"id\":\"k\"}");
      assertThat(source.deadLetterTopic()).isEqualTo(Topics.SCHEDULE_CHANGES.dlqName());
    }

    @Test
    void shouldKeyContactsByTheirIdWhenRowIsAContact() {
      PoisonRows.Source source =
          PoisonRows.source(JSON, envelope("contacts", "c").toString(), null);

      assertThat(source.eventKey()).isEqualTo(ID);
      assertThat(source.deadLetterTopic()).isEqualTo(Topics.CONTACTS.dlqName());
    }
  }

  @Nested
  class DeadLetterRecords {

    @Test
    void shouldCarryCoordinatesAndRawChangeWhenDeadLettering() {
      String raw = envelope("recurring_messages", "c").toString();
      PoisonRows.Source source = PoisonRows.source(JSON, raw, null);

      ProducerRecord<String, byte[]> dl =
          PoisonRows.deadLetter(
              source, raw, "row could not be read: boom", new IllegalStateException("boom"));

      assertThat(dl.topic()).isEqualTo("herald.schedule-changes.dlq");
      assertThat(dl.key()).isEqualTo("recurring:" + ID);
      assertThat(new String(dl.value(), StandardCharsets.UTF_8)).isEqualTo(raw);
      assertThat(header(dl, Topics.DLQ_HEADER_TOPIC)).isEqualTo("postgres.recurring_messages");
      assertThat(header(dl, Topics.DLQ_HEADER_PARTITION)).isEqualTo("-1");
      assertThat(header(dl, Topics.DLQ_HEADER_OFFSET)).isEqualTo(Long.toString(LSN));
      assertThat(header(dl, Topics.DLQ_HEADER_REASON)).isEqualTo("row could not be read: boom");
      assertThat(header(dl, Topics.DLQ_HEADER_EXCEPTION))
          .isEqualTo("java.lang.IllegalStateException: boom");
      assertThat(dl.headers().lastHeader(DeadLetters.HEADER_ORIGINAL_BYTES)).isNull();
    }

    @Test
    void shouldUseOffsetMinusOneWhenLsnIsUnknown() {
      ObjectNode e = envelope("contacts", "c");
      ((ObjectNode) e.get("source")).remove("lsn");
      PoisonRows.Source source = PoisonRows.source(JSON, e.toString(), null);

      ProducerRecord<String, byte[]> dl = PoisonRows.deadLetter(source, e.toString(), "r", null);

      assertThat(header(dl, Topics.DLQ_HEADER_OFFSET)).isEqualTo("-1");
      assertThat(dl.topic()).isEqualTo("herald.contacts.dlq");
    }

    @Test
    void shouldCutValueAndRecordOriginalSizeWhenChangeIsLargerThanADeadLetter() {
      ObjectNode e = envelope("recurring_messages", "c");
      ((ObjectNode) e.get("after")).put("message", "m".repeat(Limits.MAX_DEAD_LETTER_VALUE_BYTES));
      String raw = e.toString();
      PoisonRows.Source source = PoisonRows.source(JSON, raw, null);

      ProducerRecord<String, byte[]> dl = PoisonRows.deadLetter(source, raw, "too large", null);

      assertThat(dl.value()).hasSize(Limits.MAX_DEAD_LETTER_VALUE_BYTES);
      assertThat(header(dl, DeadLetters.HEADER_ORIGINAL_BYTES))
          .isEqualTo(Integer.toString(raw.getBytes(StandardCharsets.UTF_8).length));
    }
  }

  private static String header(ProducerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    assertThat(h).as("header " + name).isNotNull();
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  private static ObjectNode envelope(String table, String op) {
    ObjectNode row =
        JSON.createObjectNode()
            .put("id", ID)
            .put("user_id", TENANT)
            .put("device_id", DEVICE)
            .put("message", "Hi");
    ObjectNode e = JSON.createObjectNode();
    e.set("before", op.equals("d") || op.equals("u") ? row : null);
    e.set("after", op.equals("d") ? null : row);
    e.putObject("source")
        .put("connector", "postgresql")
        .put("schema", "public")
        .put("table", table)
        .put("ts_ms", 1767254400000L)
        .put("lsn", LSN);
    e.put("op", op);
    return e;
  }
}
