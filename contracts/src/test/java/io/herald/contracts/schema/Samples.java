package io.herald.contracts.schema;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * Records built in Java the way the services build them: fully populated, minimal (every nullable
 * component null), and edge values (nanosecond instants, every enum constant). Serialized, each
 * must validate against its schema, so the schemas and the records cannot drift apart.
 */
public final class Samples {

  public static final String TENANT = "3f6b2c1e-8d4a-4f7b-9c2e-5a1d0e9f8b7c";
  public static final String DEVICE = "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6";
  public static final String RECURRING_KEY = ScheduleKind.RECURRING.keyFor("5f0c6a8e");
  public static final Instant OCCURRENCE = Instant.parse("2025-03-03T01:30:00Z");
  public static final Instant NANO_OCCURRENCE = Instant.parse("2025-03-03T01:30:00.000000001Z");

  private Samples() {}

  public static RuleSpec weeklyRule() {
    return new RuleSpec(
        "weekly",
        1,
        null,
        null,
        "08:30",
        List.of(1, 3, 5),
        null,
        "Asia/Jakarta",
        "2025-03-01",
        "2025-12-31",
        120,
        "fire_once",
        3600,
        null);
  }

  public static PacingSpec manualPacing() {
    return new PacingSpec("manual", 5, true, 50, 60);
  }

  public static ScheduleChange recurringUpsert() {
    return new ScheduleChange(
        ScheduleChange.SCHEMA_VERSION,
        ChangeOp.UPSERT,
        RECURRING_KEY,
        ScheduleKind.RECURRING,
        TENANT,
        DEVICE,
        "reminder",
        "{Hi|Hello} {first_name}",
        "https://cdn.example.com/a.jpg",
        List.of("+6281234567890", "c0a8012e-7d1b-4c2a-9f3e-2b4d6f8a0c1e"),
        weeklyRule(),
        manualPacing(),
        true,
        null,
        1740737730123L,
        Instant.parse("2025-02-28T10:15:30Z"),
        List.of());
  }

  public static Stream<Named<Object>> all() {
    return Stream.of(
            scheduleChanges(),
            sendCommands(),
            occurrences(),
            deliveryResults(),
            scheduleErrors(),
            scheduleStates(),
            devices(),
            contacts(),
            webhooks())
        .flatMap(s -> s);
  }

  static Stream<Named<Object>> scheduleChanges() {
    ScheduleChange full = recurringUpsert();
    ScheduleChange broadcastOnce =
        new ScheduleChange(
            1,
            ChangeOp.UPSERT,
            ScheduleKind.BROADCAST.keyFor("b7c8"),
            ScheduleKind.BROADCAST,
            TENANT,
            DEVICE,
            "sale",
            null,
            "https://cdn.example.com/sale.jpg",
            List.of("+4915112345678"),
            RuleSpec.once("2025-03-05T09:00:00Z"),
            PacingSpec.none(),
            true,
            "scheduled",
            1L,
            NANO_OCCURRENCE,
            null);
    ScheduleChange autopost =
        new ScheduleChange(
            1,
            ChangeOp.UPSERT,
            ScheduleKind.AUTOPOST.keyFor("9a7b"),
            ScheduleKind.AUTOPOST,
            TENANT,
            DEVICE,
            null,
            "Good morning",
            null,
            List.of("120363041234567890@g.us"),
            new RuleSpec(
                "custom",
                null,
                null,
                "0 9 * * 1-5",
                null,
                null,
                null,
                "Europe/Berlin",
                null,
                null,
                null,
                "skip",
                null,
                null),
            null,
            false,
            null,
            2L,
            null,
            List.of());
    ScheduleChange allNulls =
        new ScheduleChange(
            1,
            ChangeOp.UPSERT,
            RECURRING_KEY,
            ScheduleKind.RECURRING,
            null,
            null,
            null,
            null,
            null,
            null,
            new RuleSpec(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null),
            new PacingSpec(null, null, null, null, null),
            false,
            null,
            0L,
            null,
            List.of("recipients is not a JSON array"));
    ScheduleChange delete =
        ScheduleChange.delete(ScheduleKind.AUTOPOST.keyFor("9a7b"), ScheduleKind.AUTOPOST, 9L);
    return Stream.of(
        Named.of("ScheduleChange recurring upsert, every field", full),
        Named.of("ScheduleChange broadcast once, nanosecond createdAt", broadcastOnce),
        Named.of("ScheduleChange autopost, inactive, no pacing", autopost),
        Named.of("ScheduleChange upsert, every nullable null", allNulls),
        Named.of("ScheduleChange.delete(...)", delete));
  }

  static Stream<Named<Object>> sendCommands() {
    SendCommand individual =
        new SendCommand(
            SendCommand.SCHEMA_VERSION,
            CommandId.of(RECURRING_KEY, OCCURRENCE, "+6281234567890"),
            TENANT,
            DEVICE,
            RECURRING_KEY,
            ScheduleKind.RECURRING,
            OCCURRENCE,
            "+6281234567890",
            RecipientType.INDIVIDUAL,
            "c0a8012e-7d1b-4c2a-9f3e-2b4d6f8a0c1e",
            "Hello Sari",
            null,
            manualPacing(),
            1,
            OCCURRENCE.plusSeconds(3600));
    String groupKey = ScheduleKind.AUTOPOST.keyFor("9a7b");
    SendCommand group =
        new SendCommand(
            1,
            CommandId.of(groupKey, NANO_OCCURRENCE, "120363041234567890@g.us"),
            TENANT,
            DEVICE,
            groupKey,
            ScheduleKind.AUTOPOST,
            NANO_OCCURRENCE,
            "120363041234567890@g.us",
            RecipientType.GROUP,
            null,
            null,
            "https://cdn.example.com/a.png",
            null,
            2,
            null);
    MessageTemplate template =
        new MessageTemplate(
            "class_reminder",
            "id",
            List.of(
                new MessageTemplate.Component(
                    "header",
                    null,
                    null,
                    List.of(
                        new MessageTemplate.Parameter(
                            "image", null, "https://cdn.example.com/class.png"))),
                new MessageTemplate.Component(
                    "body",
                    null,
                    null,
                    List.of(
                        new MessageTemplate.Parameter("text", "Sari", null),
                        new MessageTemplate.Parameter("text", "08:30", null))),
                new MessageTemplate.Component(
                    "button",
                    "quick_reply",
                    0,
                    List.of(new MessageTemplate.Parameter("payload", "STOP", null)))));
    SendCommand withTemplate =
        new SendCommand(
            1,
            individual.commandId(),
            TENANT,
            DEVICE,
            RECURRING_KEY,
            ScheduleKind.RECURRING,
            OCCURRENCE,
            "+6281234567890",
            RecipientType.INDIVIDUAL,
            null,
            "Hello Sari",
            null,
            null,
            1,
            null,
            template,
            WindowPolicy.FALLBACK_TEMPLATE);
    return Stream.of(
        Named.of("SendCommand individual, every field", individual),
        Named.of("SendCommand with a fallback template", withTemplate),
        Named.of("SendCommand group, media only, nullable null", group));
  }

  static Stream<Named<Object>> occurrences() {
    return Stream.of(
        Named.of(
            "Occurrence with next due",
            new Occurrence(
                Occurrence.SCHEMA_VERSION,
                RECURRING_KEY,
                ScheduleKind.RECURRING,
                TENANT,
                OCCURRENCE,
                OCCURRENCE.plusMillis(412),
                3,
                1,
                1L,
                OCCURRENCE.plusSeconds(172800),
                false)),
        Named.of(
            "Occurrence finished, nanosecond instants",
            new Occurrence(
                1,
                ScheduleKind.BROADCAST.keyFor("b7c8"),
                ScheduleKind.BROADCAST,
                TENANT,
                NANO_OCCURRENCE,
                NANO_OCCURRENCE.plusNanos(7),
                0,
                0,
                Long.MAX_VALUE,
                null,
                true)));
  }

  static Stream<Named<Object>> deliveryResults() {
    CommandId id = CommandId.of(RECURRING_KEY, OCCURRENCE, "+6281234567890");
    Stream<Named<Object>> everyStatus =
        Stream.of(DeliveryStatus.values())
            .map(
                status ->
                    Named.of(
                        "DeliveryResult " + status.wire() + ", nullable null",
                        new DeliveryResult(
                            1,
                            id,
                            TENANT,
                            DEVICE,
                            RECURRING_KEY,
                            ScheduleKind.RECURRING,
                            OCCURRENCE,
                            status,
                            0,
                            null,
                            null,
                            null,
                            NANO_OCCURRENCE)));
    return Stream.concat(
        Stream.of(
            Named.of(
                "DeliveryResult failed, every field",
                new DeliveryResult(
                    DeliveryResult.SCHEMA_VERSION,
                    id,
                    TENANT,
                    DEVICE,
                    RECURRING_KEY,
                    ScheduleKind.RECURRING,
                    OCCURRENCE,
                    DeliveryStatus.FAILED,
                    3,
                    "wamid.x",
                    "131026",
                    "recipient not on WhatsApp",
                    OCCURRENCE.plusSeconds(42)))),
        everyStatus);
  }

  static Stream<Named<Object>> scheduleErrors() {
    Stream<Named<Object>> everyReason =
        Stream.of(ErrorReason.values())
            .map(
                reason ->
                    Named.of(
                        "ScheduleError " + reason.wire() + ", every field",
                        new ScheduleError(
                            ScheduleError.SCHEMA_VERSION,
                            RECURRING_KEY,
                            ScheduleKind.RECURRING,
                            TENANT,
                            reason,
                            List.of("a reason", "another"),
                            "a reason; another",
                            5L,
                            OCCURRENCE)));
    return Stream.concat(
        everyReason,
        Stream.of(
            Named.of(
                "ScheduleError with unreadable kind and no tenant",
                new ScheduleError(
                    1,
                    "crm-42",
                    null,
                    null,
                    ErrorReason.MISSING_FIELD,
                    List.of("kind is missing"),
                    "kind is missing",
                    0L,
                    NANO_OCCURRENCE))));
  }

  static Stream<Named<Object>> scheduleStates() {
    return Stream.of("active", "inactive", "finished", "invalid", "deleted")
        .map(
            status ->
                Named.of(
                    "ScheduleState " + status,
                    new ScheduleState(
                        ScheduleState.SCHEMA_VERSION,
                        RECURRING_KEY,
                        ScheduleKind.RECURRING,
                        status.equals("deleted") ? null : TENANT,
                        status,
                        status.equals("active") ? OCCURRENCE : null,
                        3L,
                        status.equals("invalid") ? "a reason; another" : null,
                        7L,
                        NANO_OCCURRENCE)));
  }

  static Stream<Named<Object>> devices() {
    return Stream.of(
        Named.of(
            "DeviceInfo active with a cap",
            new DeviceInfo(
                DeviceInfo.SCHEMA_VERSION, DEVICE, TENANT, "whatsapp_cloud", "active", 2.5, false)),
        Named.of(
            "DeviceInfo without a cap",
            new DeviceInfo(1, DEVICE, TENANT, "simulated", "paused", null, false)),
        Named.of(
            "DeviceInfo deleted, only the id",
            new DeviceInfo(1, DEVICE, null, null, null, null, true)));
  }

  static Stream<Named<Object>> contacts() {
    return Stream.of(
        Named.of(
            "ContactInfo with fields",
            new ContactInfo(
                ContactInfo.SCHEMA_VERSION,
                "c0a8012e",
                TENANT,
                "+6281234567890",
                "Sari",
                Map.of("company", "Toko Maju"),
                false,
                false)),
        Named.of(
            "ContactInfo opted out, no name, null fields",
            new ContactInfo(1, "a1b2c3d4", TENANT, "+4915112345678", null, null, true, false)),
        Named.of(
            "ContactInfo deleted, only the id",
            new ContactInfo(1, "a1b2c3d4", null, null, null, null, false, true)));
  }

  static Stream<Named<Object>> webhooks() {
    return Stream.of(
        Named.of(
            "WebhookDelivery of a status",
            new WebhookDelivery(
                WebhookDelivery.SCHEMA_VERSION,
                OCCURRENCE,
                "1234567890",
                "{\"object\":\"whatsapp_business_account\",\"entry\":[]}")),
        Named.of(
            "WebhookDelivery without a phone number id",
            new WebhookDelivery(1, OCCURRENCE, null, "{}")));
  }
}
