package io.herald.contracts.command;

import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import java.time.Instant;

/**
 * One message to one recipient through one device, keyed by {@link #deviceId()} on {@code
 * herald.send-commands} so that all of a device's commands share a partition and its lane. Every
 * field is a function of the schedule and the occurrence, never of the firing clock: a re-fire
 * produces an equal command.
 *
 * @param schemaVersion payload version
 * @param commandId deterministic id, see {@link CommandId#of}
 * @param tenantId owner of schedule and device
 * @param deviceId the device that sends
 * @param scheduleKey {@code <kind>:<id>}
 * @param kind schedule kind
 * @param occurrenceAt the occurrence instant from the rule (UTC)
 * @param recipient E.164 number ({@code +628123...}) or group id
 * @param recipientType individual or group
 * @param contactId the contact id when the recipient came from the contacts table, else null
 * @param text rendered message text (variables and spintax resolved for this recipient)
 * @param mediaUrl optional http(s) media URL
 * @param pacing the schedule's pacing, applied by the device lane
 * @param attempt 1 for the first emission; retries inside the sender do not change it
 * @param notAfter after this instant the command expires instead of going out late; null = never
 */
public record SendCommand(
    int schemaVersion,
    CommandId commandId,
    String tenantId,
    String deviceId,
    String scheduleKey,
    ScheduleKind kind,
    Instant occurrenceAt,
    String recipient,
    RecipientType recipientType,
    String contactId,
    String text,
    String mediaUrl,
    PacingSpec pacing,
    int attempt,
    Instant notAfter) {

  public static final int SCHEMA_VERSION = 1;
}
