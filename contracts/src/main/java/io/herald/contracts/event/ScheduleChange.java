package io.herald.contracts.event;

import java.time.Instant;
import java.util.List;

/**
 * The canonical form of a schedule definition, keyed by {@link #scheduleKey()} on {@code
 * herald.schedule-changes}. Produced by the scheduler's CDC from PostgreSQL rows, and directly by
 * other services; both get the same validation.
 *
 * @param schemaVersion payload version, currently {@link #SCHEMA_VERSION}
 * @param op upsert or delete
 * @param scheduleKey {@code recurring:<id>}, {@code broadcast:<id>} or {@code autopost:<id>}
 * @param kind which table or kind the schedule belongs to
 * @param tenantId owner (the {@code user_id} column); must own {@code deviceId}
 * @param deviceId the WhatsApp device (number) that sends
 * @param name human-readable name, never used for identity
 * @param message text template; variables like {@code {name}} and spintax {@code {Hi|Hello}}
 * @param mediaUrl optional http(s) URL of an image or document
 * @param recipients E.164 numbers or contact ids (recurring, broadcast) or group ids (autopost)
 * @param rule when to fire
 * @param pacing how the device lane paces the sends
 * @param active false for inactive, draft or cancelled definitions: nothing fires
 * @param sourceStatus the row's own status column when it has one (broadcasts), else null
 * @param sourceVersion monotonic version of the source (e.g. the row's LSN or update time millis)
 * @param createdAt when the definition was created; a {@code once} rule with no time fires then
 * @param mappingErrors problems found while mapping the source row (e.g. recipients not an array);
 *     the scheduler reports them with its own validation reasons
 * @param template the approved template sent outside the recipient's 24-hour window (Cloud API
 *     devices), its text parameters rendered like the message; null when none
 * @param windowPolicy what to send by the recipient's window; null: {@link WindowPolicy#defaultFor}
 *     the template
 */
public record ScheduleChange(
    int schemaVersion,
    ChangeOp op,
    String scheduleKey,
    ScheduleKind kind,
    String tenantId,
    String deviceId,
    String name,
    String message,
    String mediaUrl,
    List<String> recipients,
    RuleSpec rule,
    PacingSpec pacing,
    boolean active,
    String sourceStatus,
    long sourceVersion,
    Instant createdAt,
    List<String> mappingErrors,
    MessageTemplate template,
    WindowPolicy windowPolicy) {

  public static final int SCHEMA_VERSION = 1;

  /** A change without a template or window policy: free text, as before ADR 0021. */
  public ScheduleChange(
      int schemaVersion,
      ChangeOp op,
      String scheduleKey,
      ScheduleKind kind,
      String tenantId,
      String deviceId,
      String name,
      String message,
      String mediaUrl,
      List<String> recipients,
      RuleSpec rule,
      PacingSpec pacing,
      boolean active,
      String sourceStatus,
      long sourceVersion,
      Instant createdAt,
      List<String> mappingErrors) {
    this(
        schemaVersion,
        op,
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        recipients,
        rule,
        pacing,
        active,
        sourceStatus,
        sourceVersion,
        createdAt,
        mappingErrors,
        null,
        null);
  }

  public ScheduleChange {
    List<String> problems = new java.util.ArrayList<>();
    if (mappingErrors != null) {
      mappingErrors.stream().filter(java.util.Objects::nonNull).forEach(problems::add);
    }
    if (recipients != null && recipients.stream().anyMatch(java.util.Objects::isNull)) {
      // A null entry from a direct producer must surface as a readable schedule error, not as an
      // unreadable record on the dead-letter topic.
      List<String> kept = new java.util.ArrayList<>();
      for (int i = 0; i < recipients.size(); i++) {
        if (recipients.get(i) == null) {
          problems.add("recipients[" + i + "] is null");
        } else {
          kept.add(recipients.get(i));
        }
      }
      recipients = kept;
    }
    recipients = recipients == null ? null : List.copyOf(recipients);
    mappingErrors = List.copyOf(problems);
  }

  /** A delete of {@code scheduleKey}; only the key and kind are meaningful. */
  public static ScheduleChange delete(String scheduleKey, ScheduleKind kind, long sourceVersion) {
    return new ScheduleChange(
        SCHEMA_VERSION,
        ChangeOp.DELETE,
        scheduleKey,
        kind,
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
        sourceVersion,
        null,
        List.of());
  }

  /** The same change from another device. */
  public ScheduleChange withDeviceId(String newDeviceId) {
    return copy(newDeviceId, message, mediaUrl, recipients, rule, active, sourceStatus);
  }

  /** The same change with another text and media. */
  public ScheduleChange withMessage(String newMessage, String newMediaUrl) {
    return copy(deviceId, newMessage, newMediaUrl, recipients, rule, active, sourceStatus);
  }

  public ScheduleChange withRecipients(List<String> newRecipients) {
    return copy(deviceId, message, mediaUrl, newRecipients, rule, active, sourceStatus);
  }

  public ScheduleChange withRule(RuleSpec newRule) {
    return copy(deviceId, message, mediaUrl, recipients, newRule, active, sourceStatus);
  }

  /** The same change, active or not and with the source's own status column ({@code null}). */
  public ScheduleChange withStatus(boolean newActive, String newSourceStatus) {
    return copy(deviceId, message, mediaUrl, recipients, rule, newActive, newSourceStatus);
  }

  public ScheduleChange withSourceVersion(long newSourceVersion) {
    return new ScheduleChange(
        schemaVersion,
        op,
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        recipients,
        rule,
        pacing,
        active,
        sourceStatus,
        newSourceVersion,
        createdAt,
        mappingErrors,
        template,
        windowPolicy);
  }

  public ScheduleChange withCreatedAt(Instant newCreatedAt) {
    return new ScheduleChange(
        schemaVersion,
        op,
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        recipients,
        rule,
        pacing,
        active,
        sourceStatus,
        sourceVersion,
        newCreatedAt,
        mappingErrors,
        template,
        windowPolicy);
  }

  /**
   * The same identity (key, kind, tenant, device, status, version, createdAt) with no content
   * (name, message, media, recipients, rule, pacing) and {@code mappingErrors} as its only
   * problems: the stand-in for a definition whose content must not travel further.
   */
  public ScheduleChange withoutContent(List<String> newMappingErrors) {
    return new ScheduleChange(
        schemaVersion,
        op,
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        null,
        null,
        null,
        List.of(),
        null,
        null,
        active,
        sourceStatus,
        sourceVersion,
        createdAt,
        newMappingErrors);
  }

  private ScheduleChange copy(
      String newDeviceId,
      String newMessage,
      String newMediaUrl,
      List<String> newRecipients,
      RuleSpec newRule,
      boolean newActive,
      String newSourceStatus) {
    return new ScheduleChange(
        schemaVersion,
        op,
        scheduleKey,
        kind,
        tenantId,
        newDeviceId,
        name,
        newMessage,
        newMediaUrl,
        newRecipients,
        newRule,
        pacing,
        newActive,
        newSourceStatus,
        sourceVersion,
        createdAt,
        mappingErrors,
        template,
        windowPolicy);
  }

  /** The same change with another template and window policy. */
  public ScheduleChange withTemplate(MessageTemplate newTemplate, WindowPolicy newWindowPolicy) {
    return new ScheduleChange(
        schemaVersion,
        op,
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        recipients,
        rule,
        pacing,
        active,
        sourceStatus,
        sourceVersion,
        createdAt,
        mappingErrors,
        newTemplate,
        newWindowPolicy);
  }

  /** The id part of the schedule key ({@code recurring:abc} → {@code abc}). */
  public String scheduleId() {
    int i = scheduleKey == null ? -1 : scheduleKey.indexOf(':');
    return i < 0 ? scheduleKey : scheduleKey.substring(i + 1);
  }
}
