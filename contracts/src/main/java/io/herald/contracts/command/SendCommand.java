package io.herald.contracts.command;

import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
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
 * @param template the rendered template for outside the recipient's 24-hour window (Cloud API),
 *     null when the schedule has none
 * @param windowPolicy what the sender sends by the recipient's window; null: {@link
 *     WindowPolicy#defaultFor} the template
 * @param recipientZone the recipient's own time zone (IANA id) for quiet hours: the contact's
 *     {@code timezone} field, else its number's country, else the schedule's zone; null unknown
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
    Instant notAfter,
    MessageTemplate template,
    WindowPolicy windowPolicy,
    String recipientZone) {

  public static final int SCHEMA_VERSION = 1;

  /** A command without the recipient's zone (quiet hours then use none). */
  public SendCommand(
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
      Instant notAfter,
      MessageTemplate template,
      WindowPolicy windowPolicy) {
    this(
        schemaVersion,
        commandId,
        tenantId,
        deviceId,
        scheduleKey,
        kind,
        occurrenceAt,
        recipient,
        recipientType,
        contactId,
        text,
        mediaUrl,
        pacing,
        attempt,
        notAfter,
        template,
        windowPolicy,
        null);
  }

  /** A command of free text only, as before ADR 0021. */
  public SendCommand(
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
    this(
        schemaVersion,
        commandId,
        tenantId,
        deviceId,
        scheduleKey,
        kind,
        occurrenceAt,
        recipient,
        recipientType,
        contactId,
        text,
        mediaUrl,
        pacing,
        attempt,
        notAfter,
        null,
        null);
  }

  /** The window policy in force: the command's, else the default for its template. */
  public WindowPolicy effectiveWindowPolicy() {
    return windowPolicy != null ? windowPolicy : WindowPolicy.defaultFor(template != null);
  }

  /** This command as free text: what a gateway, or a recipient inside the window, gets. */
  public SendCommand asText() {
    return template == null && windowPolicy == WindowPolicy.FREE_TEXT
        ? this
        : with(null, WindowPolicy.FREE_TEXT);
  }

  /** This command as its template (it must have one): what goes outside the window. */
  public SendCommand asTemplate() {
    if (template == null) {
      throw new IllegalStateException("command " + commandId + " has no template");
    }
    return windowPolicy == WindowPolicy.TEMPLATE_ALWAYS
        ? this
        : with(template, WindowPolicy.TEMPLATE_ALWAYS);
  }

  private SendCommand with(MessageTemplate newTemplate, WindowPolicy newPolicy) {
    return new SendCommand(
        schemaVersion,
        commandId,
        tenantId,
        deviceId,
        scheduleKey,
        kind,
        occurrenceAt,
        recipient,
        recipientType,
        contactId,
        text,
        mediaUrl,
        pacing,
        attempt,
        notAfter,
        newTemplate,
        newPolicy,
        recipientZone);
  }

  /**
   * True when this command goes out as its template: a transport with templates sends it so (the
   * sender's window decision, or the schedule's {@code template_always}).
   */
  public boolean sendsTemplate() {
    return template != null && windowPolicy == WindowPolicy.TEMPLATE_ALWAYS;
  }
}
