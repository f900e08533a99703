package io.herald.scheduler.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.Json;
import io.herald.contracts.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowMapperTest {

  private static final ObjectMapper JSON = Json.mapper();
  private static final String ID = "3f0c2a55-6f4e-4c59-9c2e-1b2d3e4f5a6b";
  private static final String TENANT = "11111111-1111-1111-1111-111111111111";
  private static final String DEVICE = "22222222-2222-2222-2222-222222222222";

  private final RowMapper mapper = new RowMapper(JSON);

  @Nested
  class RecurringMessages {

    @Test
    void shouldMapEveryColumnWhenRecurringMessageIsInserted() throws IOException {
      CdcMapping m = mapper.map(fixture("recurring-insert.json"));

      ScheduleChange c = emitted(m, ScheduleChange.class);
      CdcMapping.Emit<?> emit = (CdcMapping.Emit<?>) m;
      assertThat(emit.topic()).isSameAs(Topics.SCHEDULE_CHANGES);
      assertThat(emit.key()).isEqualTo("recurring:" + ID);
      assertThat(emit.op()).isEqualTo("create");
      assertThat(emit.table()).isEqualTo("recurring_messages");
      assertThat(emit.sourceTsMs()).isEqualTo(1767254400123L);
      assertThat(c.op()).isEqualTo(ChangeOp.UPSERT);
      assertThat(c.kind()).isEqualTo(ScheduleKind.RECURRING);
      assertThat(c.scheduleKey()).isEqualTo("recurring:" + ID);
      assertThat(c.tenantId()).isEqualTo(TENANT);
      assertThat(c.deviceId()).isEqualTo(DEVICE);
      assertThat(c.name()).isEqualTo("Daily hello");
      assertThat(c.message()).isEqualTo("Hello {name}");
      assertThat(c.mediaUrl()).isNull();
      assertThat(c.recipients())
          .containsExactly("+4915112345678", "9a1b2c3d-0000-0000-0000-000000000001");
      assertThat(c.rule())
          .isEqualTo(
              new RuleSpec(
                  "weekly",
                  1,
                  null,
                  null,
                  "09:30:00",
                  List.of(1, 3, 5),
                  null,
                  "Europe/Berlin",
                  "2026-01-01",
                  "2027-01-01",
                  10,
                  "fire_all",
                  900,
                  null));
      assertThat(c.pacing()).isEqualTo(new PacingSpec("manual", 7, false, 20, 60));
      assertThat(c.active()).isTrue();
      assertThat(c.sourceStatus()).isNull();
      assertThat(c.sourceVersion()).isEqualTo(24023928L);
      assertThat(c.createdAt()).isEqualTo(Instant.parse("2026-01-01T08:00:00.123456Z"));
      assertThat(c.mappingErrors()).isEmpty();
    }

    @Test
    void shouldMapSnapshotReadAsUpsertWhenEngineSnapshots() {
      CdcMapping m = mapper.map(envelope("recurring_messages", "r", null, recurringRow()));

      assertThat(((CdcMapping.Emit<?>) m).op()).isEqualTo("read");
      assertThat(emitted(m, ScheduleChange.class).op()).isEqualTo(ChangeOp.UPSERT);
    }

    @Test
    void shouldBeInactiveWhenIsActiveIsFalseOrNull() {
      ObjectNode off = recurringRow().put("is_active", false);
      ObjectNode unknown = recurringRow();
      unknown.putNull("is_active");

      assertThat(
              emitted(
                      mapper.map(envelope("recurring_messages", "c", null, off)),
                      ScheduleChange.class)
                  .active())
          .isFalse();
      assertThat(
              emitted(
                      mapper.map(envelope("recurring_messages", "c", null, unknown)),
                      ScheduleChange.class)
                  .active())
          .isFalse();
    }

    @Test
    void shouldEmitDeleteWhenRecurringMessageIsDeleted() {
      CdcMapping m = mapper.map(envelope("recurring_messages", "d", recurringRow(), null));

      ScheduleChange c = emitted(m, ScheduleChange.class);
      assertThat(c)
          .isEqualTo(ScheduleChange.delete("recurring:" + ID, ScheduleKind.RECURRING, LSN));
      assertThat(((CdcMapping.Emit<?>) m).op()).isEqualTo("delete");
    }
  }

  @Nested
  class Broadcasts {

    @Test
    void shouldFireOnceAtScheduledAtWhenBroadcastIsScheduled() {
      ObjectNode row = broadcastRow("scheduled").put("scheduled_at", "2026-02-01T10:00:00Z");

      CdcMapping m = mapper.map(envelope("broadcasts", "c", null, row));

      ScheduleChange c = emitted(m, ScheduleChange.class);
      assertThat(((CdcMapping.Emit<?>) m).key()).isEqualTo("broadcast:" + ID);
      assertThat(c.kind()).isEqualTo(ScheduleKind.BROADCAST);
      assertThat(c.rule()).isEqualTo(RuleSpec.once("2026-02-01T10:00:00Z"));
      assertThat(c.active()).isTrue();
      assertThat(c.sourceStatus()).isEqualTo("scheduled");
      assertThat(c.createdAt()).isEqualTo(Instant.parse("2026-01-20T09:00:00Z"));
    }

    @Test
    void shouldFireAtCreationWhenScheduledAtIsNull() {
      CdcMapping m = mapper.map(envelope("broadcasts", "c", null, broadcastRow("scheduled")));

      ScheduleChange c = emitted(m, ScheduleChange.class);
      assertThat(c.rule()).isEqualTo(RuleSpec.once(null));
      assertThat(c.createdAt()).isEqualTo(Instant.parse("2026-01-20T09:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource({
      "draft,false",
      "scheduled,true",
      "processing,true",
      "completed,false",
      "failed,false",
      "cancelled,false"
    })
    void shouldBeActiveOnlyWhenStatusIsScheduledOrProcessing(String status, boolean active) {
      CdcMapping m = mapper.map(envelope("broadcasts", "c", null, broadcastRow(status)));

      assertThat(emitted(m, ScheduleChange.class).active()).isEqualTo(active);
      assertThat(emitted(m, ScheduleChange.class).sourceStatus()).isEqualTo(status);
    }

    @Test
    void shouldFireADraftWithScheduledAtLikeTheSeedDidUnlessCompatibilityIsOff() {
      ObjectNode row = broadcastRow("draft").put("scheduled_at", "2026-02-01T10:00:00Z");

      ScheduleChange compat =
          emitted(mapper.map(envelope("broadcasts", "c", null, row)), ScheduleChange.class);
      ScheduleChange strict =
          emitted(
              new RowMapper(JSON, false).map(envelope("broadcasts", "c", null, row)),
              ScheduleChange.class);

      assertThat(compat.active()).isTrue();
      assertThat(compat.sourceStatus()).isEqualTo("draft");
      assertThat(strict.active()).isFalse();
    }

    @Test
    void shouldGiveNullPacingColumnsTheSeedsDefaultsUnlessCompatibilityIsOff() {
      ObjectNode row = broadcastRow("scheduled");
      row.putNull("delay_seconds");
      row.putNull("randomize_delay");
      row.putNull("batch_size");
      row.putNull("pause_between_batches");
      ObjectNode explicit =
          broadcastRow("scheduled")
              .put("delay_seconds", 0)
              .put("randomize_delay", false)
              .put("batch_size", 10)
              .put("pause_between_batches", 0);

      PacingSpec compat =
          emitted(mapper.map(envelope("broadcasts", "c", null, row)), ScheduleChange.class)
              .pacing();
      PacingSpec strict =
          emitted(
                  new RowMapper(JSON, false).map(envelope("broadcasts", "c", null, row)),
                  ScheduleChange.class)
              .pacing();
      PacingSpec kept =
          emitted(mapper.map(envelope("broadcasts", "c", null, explicit)), ScheduleChange.class)
              .pacing();

      assertThat(compat).isEqualTo(new PacingSpec("auto", 5, true, 50, 60));
      assertThat(strict).isEqualTo(new PacingSpec("auto", null, null, null, null));
      assertThat(kept).isEqualTo(new PacingSpec("auto", 0, false, 10, 0));
    }

    @Test
    void shouldDropWhenSenderMovesBroadcastToProcessing() throws IOException {
      CdcMapping m = mapper.map(fixture("broadcast-state-update.json"));

      assertThat(m).isInstanceOf(CdcMapping.StateOnly.class);
      assertThat(((CdcMapping.StateOnly) m).changedColumns())
          .containsExactlyInAnyOrder("status", "total_count", "started_at", "updated_at");
    }

    @Test
    void shouldEmitDeleteWhenBroadcastIsDeleted() {
      CdcMapping m = mapper.map(envelope("broadcasts", "d", broadcastRow("draft"), null));

      assertThat(emitted(m, ScheduleChange.class))
          .isEqualTo(ScheduleChange.delete("broadcast:" + ID, ScheduleKind.BROADCAST, LSN));
    }
  }

  @Nested
  class AutoPosts {

    @Test
    void shouldUseTargetGroupsAsRecipientsWhenAutoPostIsInserted() {
      ObjectNode row = recurringRow();
      row.remove("target_contacts");
      row.put("target_groups", "[\"120363012345678901@g.us\", \"team-news\"]");

      CdcMapping m = mapper.map(envelope("auto_post_schedules", "c", null, row));

      ScheduleChange c = emitted(m, ScheduleChange.class);
      assertThat(((CdcMapping.Emit<?>) m).key()).isEqualTo("autopost:" + ID);
      assertThat(c.kind()).isEqualTo(ScheduleKind.AUTOPOST);
      assertThat(c.recipients()).containsExactly("120363012345678901@g.us", "team-news");
      assertThat(c.rule().frequency()).isEqualTo("daily");
    }

    @Test
    void shouldReportProblemWhenTargetGroupsIsNotAnArray() {
      ObjectNode row = recurringRow();
      row.put("target_groups", "\"team-news\"");

      ScheduleChange c =
          emitted(
              mapper.map(envelope("auto_post_schedules", "c", null, row)), ScheduleChange.class);

      assertThat(c.mappingErrors())
          .containsExactly("target_groups must be a JSON array of group ids, got a string");
    }

    @Test
    void shouldEmitDeleteWhenAutoPostIsDeleted() {
      CdcMapping m = mapper.map(envelope("auto_post_schedules", "d", recurringRow(), null));

      assertThat(emitted(m, ScheduleChange.class))
          .isEqualTo(ScheduleChange.delete("autopost:" + ID, ScheduleKind.AUTOPOST, LSN));
    }
  }

  @Nested
  class DevicesAndContacts {

    @Test
    void shouldEmitDeviceInfoKeyedByDeviceIdWhenDeviceIsInserted() {
      ObjectNode row =
          JSON.createObjectNode()
              .put("id", DEVICE)
              .put("user_id", TENANT)
              .put("name", "Sales")
              .put("phone_number", "+4930123456")
              .put("transport", "simulated")
              .put("transport_config", "{\"tokenEnv\":\"X\"}")
              .put("status", "active")
              .put("max_per_second", 2.5);

      CdcMapping m = mapper.map(envelope("devices", "c", null, row));

      assertThat(((CdcMapping.Emit<?>) m).topic()).isSameAs(Topics.DEVICES);
      assertThat(((CdcMapping.Emit<?>) m).key()).isEqualTo(DEVICE);
      assertThat(emitted(m, DeviceInfo.class))
          .isEqualTo(new DeviceInfo(1, DEVICE, TENANT, "simulated", "active", 2.5, false));
    }

    @Test
    void shouldMarkDeviceDeletedWhenDeviceIsDeleted() {
      ObjectNode row =
          JSON.createObjectNode()
              .put("id", DEVICE)
              .put("user_id", TENANT)
              .put("transport", "simulated")
              .put("status", "active");
      row.putNull("max_per_second");

      CdcMapping m = mapper.map(envelope("devices", "d", row, null));

      assertThat(emitted(m, DeviceInfo.class))
          .isEqualTo(new DeviceInfo(1, DEVICE, TENANT, "simulated", "active", null, true));
    }

    @Test
    void shouldEmitContactInfoWithFieldsWhenContactIsInserted() {
      ObjectNode row = contactRow();

      CdcMapping m = mapper.map(envelope("contacts", "c", null, row));

      assertThat(((CdcMapping.Emit<?>) m).topic()).isSameAs(Topics.CONTACTS);
      assertThat(((CdcMapping.Emit<?>) m).key()).isEqualTo("c0000000-0000-4000-8000-000000000001");
      assertThat(emitted(m, ContactInfo.class))
          .isEqualTo(
              new ContactInfo(
                  1,
                  "c0000000-0000-4000-8000-000000000001",
                  TENANT,
                  "+4915112345678",
                  "Ada",
                  Map.of("company", "ACME", "tier", "2"),
                  true,
                  false));
    }

    @Test
    void shouldMarkContactDeletedWhenContactIsDeleted() {
      CdcMapping m = mapper.map(envelope("contacts", "d", contactRow(), null));

      assertThat(emitted(m, ContactInfo.class).deleted()).isTrue();
      assertThat(emitted(m, ContactInfo.class).phoneNumber()).isEqualTo("+4915112345678");
    }
  }

  @Nested
  class Bounds {

    @Test
    void shouldCutContactNameWhenLongerThanLimit() {
      ObjectNode row = contactRow().put("name", "A".repeat(Limits.CONTACT_NAME_MAX_CHARS + 45));

      CdcMapping m = mapper.map(envelope("contacts", "c", null, row));

      assertThat(emitted(m, ContactInfo.class).name())
          .isEqualTo("A".repeat(Limits.CONTACT_NAME_MAX_CHARS));
      assertThat(((CdcMapping.Emit<?>) m).cutValues()).isEqualTo(1);
    }

    @Test
    void shouldNotSplitSurrogatePairWhenCuttingContactName() {
      String emoji = "\uD83D\uDE00"; // one code point, two chars
      ObjectNode row = contactRow().put("name", emoji.repeat(Limits.CONTACT_NAME_MAX_CHARS + 1));

      String name =
          emitted(mapper.map(envelope("contacts", "c", null, row)), ContactInfo.class).name();

      assertThat(name.codePointCount(0, name.length())).isEqualTo(Limits.CONTACT_NAME_MAX_CHARS);
      assertThat(name).isEqualTo(emoji.repeat(Limits.CONTACT_NAME_MAX_CHARS));
    }

    @Test
    void shouldKeepFirstFieldsAndDropLongNamesWhenFieldsExceedLimits() {
      ObjectNode fields = JSON.createObjectNode();
      fields.put("k".repeat(Limits.CONTACT_FIELD_KEY_MAX_CHARS + 1), "dropped: name too long");
      for (int i = 0; i < Limits.CONTACT_FIELDS_MAX_ENTRIES + 10; i++) {
        fields.put("f" + i, "v" + i);
      }
      ObjectNode row = contactRow().put("fields", fields.toString());

      CdcMapping m = mapper.map(envelope("contacts", "c", null, row));

      Map<String, String> kept = emitted(m, ContactInfo.class).fields();
      assertThat(kept)
          .hasSize(Limits.CONTACT_FIELDS_MAX_ENTRIES)
          .containsEntry("f0", "v0")
          .containsEntry("f49", "v49")
          .doesNotContainKey("f50");
      assertThat(((CdcMapping.Emit<?>) m).cutValues()).isEqualTo(1 + 10);
    }

    @Test
    void shouldCutFieldValueAndKeepItsLineBreaksWhenValueIsTooLong() {
      String value = "line one\nline two " + "x".repeat(Limits.CONTACT_FIELD_VALUE_MAX_CHARS);
      ObjectNode row =
          contactRow().put("fields", JSON.createObjectNode().put("address", value).toString());

      CdcMapping m = mapper.map(envelope("contacts", "c", null, row));

      String kept = emitted(m, ContactInfo.class).fields().get("address");
      assertThat(kept).hasSize(Limits.CONTACT_FIELD_VALUE_MAX_CHARS).startsWith("line one\nline");
      assertThat(((CdcMapping.Emit<?>) m).cutValues()).isEqualTo(1);
    }

    @Test
    void shouldCutDeviceStatusAndTransportWhenLongerThanLimit() {
      ObjectNode row =
          JSON.createObjectNode()
              .put("id", DEVICE)
              .put("user_id", TENANT)
              .put("transport", "t".repeat(5_000))
              .put("status", "s".repeat(5_000));

      CdcMapping m = mapper.map(envelope("devices", "c", null, row));

      DeviceInfo d = emitted(m, DeviceInfo.class);
      assertThat(d.transport()).isEqualTo("t".repeat(Limits.STATUS_MAX_CHARS));
      assertThat(d.status()).isEqualTo("s".repeat(Limits.STATUS_MAX_CHARS));
      assertThat(((CdcMapping.Emit<?>) m).cutValues()).isEqualTo(2);
    }

    @Test
    void shouldCutNothingWhenContactIsWithinLimits() {
      CdcMapping m = mapper.map(envelope("contacts", "c", null, contactRow()));

      assertThat(((CdcMapping.Emit<?>) m).cutValues()).isZero();
    }

    @Test
    void shouldKeepDefinitionWholeWhenMessageIsLarge() {
      // Definitions are never cut: the engine rejects an oversized one as a whole.
      ObjectNode row = recurringRow().put("message", "m".repeat(100_000));

      CdcMapping m = mapper.map(envelope("recurring_messages", "c", null, row));

      assertThat(emitted(m, ScheduleChange.class).message()).hasSize(100_000);
      assertThat(((CdcMapping.Emit<?>) m).cutValues()).isZero();
    }
  }

  @Nested
  class BadTargets {

    @Test
    void shouldReportProblemWhenTargetContactsIsAnObject() {
      ObjectNode row = recurringRow().put("target_contacts", "{\"to\":\"+4915112345678\"}");

      ScheduleChange c =
          emitted(mapper.map(envelope("recurring_messages", "c", null, row)), ScheduleChange.class);

      assertThat(c.mappingErrors())
          .containsExactly(
              "target_contacts must be a JSON array of E.164 numbers or contact ids, got an object");
      assertThat(c.recipients()).isNull();
    }

    @Test
    void shouldNameIndexButNotValueWhenTargetContactsHoldsNonStrings() {
      ObjectNode row =
          recurringRow().put("target_contacts", "[\"+4915112345678\", 4915112345679, null]");

      ScheduleChange c =
          emitted(mapper.map(envelope("broadcasts", "c", null, row)), ScheduleChange.class);

      assertThat(c.mappingErrors())
          .containsExactly(
              "target_contacts[1] must be a string (an E.164 number or a contact id), got a number",
              "target_contacts[2] must be a string (an E.164 number or a contact id), got null");
      assertThat(String.join(" ", c.mappingErrors())).doesNotContain("4915112345679");
      assertThat(c.recipients()).containsExactly("+4915112345678");
    }

    @Test
    void shouldLeaveRecipientsNullWithoutProblemWhenTargetContactsIsNull() {
      ObjectNode row = recurringRow();
      row.putNull("target_contacts");

      ScheduleChange c =
          emitted(mapper.map(envelope("recurring_messages", "c", null, row)), ScheduleChange.class);

      assertThat(c.recipients()).isNull();
      assertThat(c.mappingErrors()).isEmpty();
    }

    @Test
    void shouldReportNullEntryWhenDaysOfWeekHoldsNull() {
      ObjectNode row = recurringRow();
      row.putArray("days_of_week").add(1).addNull();

      ScheduleChange c =
          emitted(mapper.map(envelope("recurring_messages", "c", null, row)), ScheduleChange.class);

      assertThat(c.rule().daysOfWeek()).containsExactly(1);
      assertThat(c.mappingErrors())
          .containsExactly("days_of_week[1] must be a whole number, got null");
    }
  }

  @Nested
  class DebeziumEncodings {

    @ParameterizedTest
    @CsvSource({
      "0,00:00:00",
      "34200000000,09:30:00",
      "86399999999,23:59:59",
      "86400000000,24:00:00",
      "45296789000,12:34:56"
    })
    void shouldFormatMicrosSinceMidnightAsLocalTime(long micros, String expected) {
      ObjectNode row = JSON.createObjectNode().put("time_of_day", micros);

      assertThat(RowMapper.timeOfDay(row, "time_of_day")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0,1970-01-01", "20454,2026-01-01", "-1,1969-12-31", "20513,2026-03-01"})
    void shouldFormatDaysSinceEpochAsLocalDate(long days, String expected) {
      ObjectNode row = JSON.createObjectNode().put("start_date", days);

      assertThat(RowMapper.date(row, "start_date")).isEqualTo(expected);
    }

    @Test
    void shouldReadTimestamptzWithOffsetWhenCreatedAtHasOne() {
      ObjectNode row = broadcastRow("scheduled").put("scheduled_at", "2026-02-01T11:00:00+01:00");

      ScheduleChange c =
          emitted(mapper.map(envelope("broadcasts", "c", null, row)), ScheduleChange.class);

      assertThat(c.rule().scheduledAt()).isEqualTo("2026-02-01T10:00:00Z");
    }

    @Test
    void shouldUnwrapPayloadWhenSchemasAreEnabled() {
      ObjectNode withSchema = JSON.createObjectNode();
      withSchema.putObject("schema").put("type", "struct");
      withSchema.set("payload", envelope("recurring_messages", "c", null, recurringRow()));

      assertThat(mapper.map(withSchema)).isInstanceOf(CdcMapping.Emit.class);
    }
  }

  @Nested
  class StateOnlyDetection {

    @ParameterizedTest(name = "{0}.{1} -> {3}")
    @CsvSource({
      // table,               column,             new value,               dropped, old value
      "recurring_messages,   next_send_at,       2026-03-01T09:30:00Z,    true,",
      "recurring_messages,   last_sent_at,       2026-03-01T09:30:00Z,    true,",
      "recurring_messages,   total_sent,         5,                       true,",
      "recurring_messages,   total_failed,       1,                       true,",
      "recurring_messages,   execution_count,    3,                       true,",
      "recurring_messages,   status,             finished,                true,",
      "recurring_messages,   last_error,         boom,                    true,",
      "recurring_messages,   updated_at,         2026-03-01T09:30:00Z,    true,",
      "recurring_messages,   scheduler_state_at, 2026-03-01T09:30:00Z,    true,",
      "recurring_messages,   time_of_day,        36000000000,             false,",
      "recurring_messages,   is_active,          false,                   false,",
      "recurring_messages,   message,            Hi,                      false,",
      "recurring_messages,   timezone,           UTC,                     false,",
      "auto_post_schedules,  next_send_at,       2026-03-01T09:30:00Z,    true,",
      "auto_post_schedules,  status,             invalid,                 true,",
      "auto_post_schedules,  frequency,          monthly,                 false,",
      "broadcasts,           sent_count,         7,                       true,",
      "broadcasts,           failed_count,       1,                       true,",
      "broadcasts,           total_count,        9,                       true,",
      "broadcasts,           started_at,         2026-03-01T09:30:00Z,    true,",
      "broadcasts,           completed_at,       2026-03-01T09:30:00Z,    true,",
      "broadcasts,           last_error,         boom,                    true,",
      "broadcasts,           status,             processing,              true,",
      "broadcasts,           status,             completed,               true,",
      "broadcasts,           status,             failed,                  true,",
      "broadcasts,           status,             draft,                   false,",
      "broadcasts,           status,             scheduled,               false, draft",
      "broadcasts,           status,             cancelled,               false,",
      "broadcasts,           scheduled_at,       2026-03-01T09:30:00Z,    false,",
      "devices,              updated_at,         2026-03-01T09:30:00Z,    true,",
      "devices,              status,             paused,                  false,",
      "contacts,             opted_out,          false,                   false,",
    })
    void shouldDropOnlyWhenEveryChangedColumnIsAStateColumn(
        String table, String column, String value, boolean dropped, String oldValue) {
      ObjectNode before = rowFor(table);
      if (oldValue != null) {
        setTyped(before, column, oldValue);
      }
      ObjectNode after = before.deepCopy();
      setTyped(after, column, value);

      CdcMapping m = mapper.map(envelope(table, "u", before, after));

      if (dropped) {
        assertThat(m).isInstanceOf(CdcMapping.StateOnly.class);
        assertThat(((CdcMapping.StateOnly) m).changedColumns()).containsExactly(column);
      } else {
        assertThat(m).isInstanceOf(CdcMapping.Emit.class);
        assertThat(((CdcMapping.Emit<?>) m).op()).isEqualTo("update");
      }
    }

    @Test
    void shouldPassWhenStateAndUserColumnsChangeTogether() {
      ObjectNode before = recurringRow();
      ObjectNode after =
          before
              .deepCopy()
              .put("next_send_at", "2026-03-01T09:30:00Z")
              .put("time_of_day", 36000000000L);

      CdcMapping m = mapper.map(envelope("recurring_messages", "u", before, after));

      assertThat(emitted(m, ScheduleChange.class).rule().timeOfDay()).isEqualTo("10:00:00");
    }

    @Test
    void shouldDropWhenUpdateChangesNothing() {
      ObjectNode row = recurringRow();

      assertThat(mapper.map(envelope("recurring_messages", "u", row, row.deepCopy())))
          .isInstanceOf(CdcMapping.StateOnly.class);
    }

    @Test
    void shouldPassWhenBeforeImageIsMissing() {
      CdcMapping m = mapper.map(envelope("recurring_messages", "u", null, recurringRow()));

      assertThat(m).isInstanceOf(CdcMapping.Emit.class);
    }

    @Test
    void shouldTreatUnavailableToastedValueAsUnchangedWhenOnlyStateChanged() {
      ObjectNode before = recurringRow().put("target_contacts", "[\"+4915112345678\"]");
      ObjectNode after =
          before
              .deepCopy()
              .put("target_contacts", RowMapper.UNAVAILABLE_PLACEHOLDER)
              .put("execution_count", 4);

      assertThat(mapper.map(envelope("recurring_messages", "u", before, after)))
          .isInstanceOf(CdcMapping.StateOnly.class);
    }

    @Test
    void shouldTakeToastedValueFromBeforeWhenUserColumnChanged() {
      ObjectNode before = recurringRow().put("target_contacts", "[\"+4915112345678\"]");
      ObjectNode after =
          before
              .deepCopy()
              .put("target_contacts", RowMapper.UNAVAILABLE_PLACEHOLDER)
              .put("message", "Changed");

      ScheduleChange c =
          emitted(
              mapper.map(envelope("recurring_messages", "u", before, after)), ScheduleChange.class);

      assertThat(c.recipients()).containsExactly("+4915112345678");
      assertThat(c.message()).isEqualTo("Changed");
    }
  }

  @Nested
  class Ignored {

    @Test
    void shouldIgnoreTombstoneWhenValueIsNull() {
      assertThat(mapper.map((String) null)).isInstanceOf(CdcMapping.Ignored.class);
    }

    @Test
    void shouldIgnoreWhenTableIsNotCaptured() {
      assertThat(mapper.map(envelope("deliveries", "c", null, recurringRow())))
          .isInstanceOf(CdcMapping.Ignored.class);
    }

    @Test
    void shouldIgnoreTruncateWhenTableIsTruncated() {
      assertThat(mapper.map(envelope("recurring_messages", "t", null, null)))
          .isInstanceOf(CdcMapping.Ignored.class);
    }

    @Test
    void shouldIgnoreWhenValueIsNotJson() {
      assertThat(mapper.map("not json")).isInstanceOf(CdcMapping.Ignored.class);
    }
  }

  // --- fixtures -------------------------------------------------------------------------------

  private static final long LSN = 33_000_000L;

  private static ObjectNode envelope(String table, String op, ObjectNode before, ObjectNode after) {
    ObjectNode e = JSON.createObjectNode();
    e.set("before", before);
    e.set("after", after);
    e.putObject("source")
        .put("connector", "postgresql")
        .put("schema", "public")
        .put("table", table)
        .put("ts_ms", 1767254400000L)
        .put("lsn", LSN)
        .put("snapshot", "false");
    e.put("op", op);
    e.put("ts_ms", 1767254400010L);
    return e;
  }

  private static ObjectNode rowFor(String table) {
    switch (table) {
      case "broadcasts":
        return broadcastRow("scheduled");
      case "devices":
        return JSON.createObjectNode()
            .put("id", DEVICE)
            .put("user_id", TENANT)
            .put("transport", "simulated")
            .put("status", "active")
            .put("updated_at", "2026-01-01T00:00:00Z");
      case "contacts":
        return contactRow();
      default:
        return recurringRow();
    }
  }

  private static ObjectNode recurringRow() {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", ID)
        .put("user_id", TENANT)
        .put("device_id", DEVICE)
        .put("name", "Daily")
        .put("message", "Hello")
        .put("target_contacts", "[\"+4915112345678\"]")
        .put("frequency", "daily")
        .put("interval_value", 1)
        .put("time_of_day", 34200000000L)
        .put("timezone", "Europe/Berlin")
        .put("catch_up", "fire_once")
        .put("catch_up_grace_seconds", 3600)
        .put("is_active", true)
        .put("delay_type", "auto")
        .put("randomize_delay", true)
        .put("execution_count", 0)
        .put("total_sent", 0)
        .put("total_failed", 0)
        .put("status", "active")
        .put("created_at", "2026-01-01T08:00:00Z")
        .put("updated_at", "2026-01-01T08:00:00Z");
    r.putNull("next_send_at");
    r.putNull("last_sent_at");
    r.putNull("last_error");
    r.putNull("scheduler_state_at");
    return r;
  }

  private static ObjectNode broadcastRow(String status) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", ID)
        .put("user_id", TENANT)
        .put("device_id", DEVICE)
        .put("name", "Launch")
        .put("message", "We are live")
        .put("target_contacts", "[\"+4915112345678\"]")
        .put("status", status)
        .put("delay_type", "auto")
        .put("randomize_delay", true)
        .put("sent_count", 0)
        .put("failed_count", 0)
        .put("created_at", "2026-01-20T09:00:00Z")
        .put("updated_at", "2026-01-20T09:00:00Z");
    r.putNull("scheduled_at");
    r.putNull("total_count");
    r.putNull("started_at");
    r.putNull("completed_at");
    r.putNull("last_error");
    return r;
  }

  private static ObjectNode contactRow() {
    return JSON.createObjectNode()
        .put("id", "c0000000-0000-4000-8000-000000000001")
        .put("user_id", TENANT)
        .put("phone_number", "+4915112345678")
        .put("name", "Ada")
        .put("fields", "{\"company\":\"ACME\",\"tier\":2,\"note\":null}")
        .put("opted_out", true)
        .put("created_at", "2026-01-01T00:00:00Z");
  }

  private static void setTyped(ObjectNode row, String column, String value) {
    if (value.equals("true") || value.equals("false")) {
      row.put(column, Boolean.parseBoolean(value));
    } else if (value.matches("-?\\d+")) {
      row.put(column, Long.parseLong(value));
    } else {
      row.put(column, value);
    }
  }

  private static <T> T emitted(CdcMapping m, Class<T> type) {
    assertThat(m).isInstanceOf(CdcMapping.Emit.class);
    Object value = ((CdcMapping.Emit<?>) m).value();
    assertThat(value).isInstanceOf(type);
    // Every emitted value must survive its topic's serde unchanged.
    CdcMapping.Emit<?> emit = (CdcMapping.Emit<?>) m;
    Object roundTrip =
        emit.topic()
            .valueSerde()
            .deserializer()
            .deserialize(emit.topic().name(), emit.serializedValue());
    assertThat(roundTrip).isEqualTo(value);
    return type.cast(value);
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = RowMapperTest.class.getResourceAsStream("/cdc/" + name)) {
      assertThat(in).as("fixture " + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
