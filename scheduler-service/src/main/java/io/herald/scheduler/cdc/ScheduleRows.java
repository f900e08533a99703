package io.herald.scheduler.cdc;

import static io.herald.scheduler.cdc.DebeziumColumns.bool;
import static io.herald.scheduler.cdc.DebeziumColumns.date;
import static io.herald.scheduler.cdc.DebeziumColumns.instant;
import static io.herald.scheduler.cdc.DebeziumColumns.intArray;
import static io.herald.scheduler.cdc.DebeziumColumns.integer;
import static io.herald.scheduler.cdc.DebeziumColumns.stringArray;
import static io.herald.scheduler.cdc.DebeziumColumns.text;
import static io.herald.scheduler.cdc.DebeziumColumns.timeOfDay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps the row of a schedule table ({@code recurring_messages}, {@code auto_post_schedules}, {@code
 * broadcasts}) to an upsert {@link ScheduleChange}. Nothing is cut here; problems the user can fix
 * travel in {@link ScheduleChange#mappingErrors()}.
 */
final class ScheduleRows {

  /** Broadcast statuses in which the broadcast should fire (or is firing). */
  static final Set<String> BROADCAST_ACTIVE_STATUSES = Set.of("scheduled", "processing");

  private final ObjectMapper json;
  private final boolean seedCompat;

  ScheduleRows(ObjectMapper json, boolean seedCompat) {
    this.json = json;
    this.seedCompat = seedCompat;
  }

  ScheduleChange recurring(String id, JsonNode row, long lsn) {
    List<String> errors = new ArrayList<>();
    List<String> recipients =
        stringArray(
            json,
            row,
            "target_contacts",
            "a JSON array of E.164 numbers or contact ids",
            "an E.164 number or a contact id",
            errors);
    // before the change is built: it copies the errors found so far
    MessageTemplate template = TemplateColumns.template(json, row, errors);
    WindowPolicy windowPolicy = TemplateColumns.windowPolicy(row, errors);
    return new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            ScheduleKind.RECURRING.keyFor(id),
            ScheduleKind.RECURRING,
            text(row, "user_id"),
            text(row, "device_id"),
            text(row, "name"),
            text(row, "message"),
            text(row, "media_url"),
            recipients,
            rule(row, errors),
            pacing(row),
            activeFlag(row),
            null,
            lsn,
            instant(row, "created_at", errors),
            errors)
        .withTemplate(template, windowPolicy);
  }

  ScheduleChange autopost(String id, JsonNode row, long lsn) {
    List<String> errors = new ArrayList<>();
    List<String> groups =
        stringArray(json, row, "target_groups", "a JSON array of group ids", "a group id", errors);
    return new ScheduleChange(
        ScheduleChange.SCHEMA_VERSION,
        ChangeOp.UPSERT,
        ScheduleKind.AUTOPOST.keyFor(id),
        ScheduleKind.AUTOPOST,
        text(row, "user_id"),
        text(row, "device_id"),
        text(row, "name"),
        text(row, "message"),
        text(row, "media_url"),
        groups,
        rule(row, errors),
        pacing(row),
        activeFlag(row),
        null,
        lsn,
        instant(row, "created_at", errors),
        errors);
  }

  ScheduleChange broadcast(String id, JsonNode row, long lsn) {
    List<String> errors = new ArrayList<>();
    List<String> recipients =
        stringArray(
            json,
            row,
            "target_contacts",
            "a JSON array of E.164 numbers or contact ids",
            "an E.164 number or a contact id",
            errors);
    Instant scheduledAt = instant(row, "scheduled_at", errors);
    String status = text(row, "status");
    // A broadcast without scheduled_at fires "now", i.e. at created_at (RuleSpec.once(null)).
    RuleSpec rule = RuleSpec.once(scheduledAt == null ? null : scheduledAt.toString());
    // before the change is built: it copies the errors found so far
    MessageTemplate template = TemplateColumns.template(json, row, errors);
    WindowPolicy windowPolicy = TemplateColumns.windowPolicy(row, errors);
    return new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            ScheduleKind.BROADCAST.keyFor(id),
            ScheduleKind.BROADCAST,
            text(row, "user_id"),
            text(row, "device_id"),
            text(row, "name"),
            text(row, "message"),
            text(row, "media_url"),
            recipients,
            rule,
            pacing(row),
            status != null
                && (BROADCAST_ACTIVE_STATUSES.contains(status)
                    || (seedCompat && SeedDefaults.firesAsScheduled(status, scheduledAt))),
            status,
            lsn,
            instant(row, "created_at", errors),
            errors)
        .withTemplate(template, windowPolicy);
  }

  /**
   * {@code is_active}; an explicit NULL counts as inactive: sending is the irreversible action, so
   * an unclear flag fails closed.
   */
  private static boolean activeFlag(JsonNode row) {
    JsonNode n = row.get("is_active");
    return n != null && n.isBoolean() && n.booleanValue();
  }

  private RuleSpec rule(JsonNode row, List<String> errors) {
    return new RuleSpec(
        text(row, "frequency"),
        integer(row, "interval_value"),
        text(row, "interval_unit"),
        text(row, "cron_expression"),
        timeOfDay(row, "time_of_day"),
        intArray(row, "days_of_week", errors),
        integer(row, "day_of_month"),
        text(row, "timezone"),
        date(row, "start_date"),
        date(row, "end_date"),
        integer(row, "max_executions"),
        text(row, "catch_up"),
        integer(row, "catch_up_grace_seconds"),
        null);
  }

  private PacingSpec pacing(JsonNode row) {
    PacingSpec p =
        new PacingSpec(
            text(row, "delay_type"),
            integer(row, "delay_seconds"),
            bool(row, "randomize_delay"),
            integer(row, "batch_size"),
            integer(row, "pause_between_batches"));
    return seedCompat ? SeedDefaults.pacing(p) : p;
  }
}
