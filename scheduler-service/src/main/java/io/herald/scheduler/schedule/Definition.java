package io.herald.scheduler.schedule;

import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A schedule definition as the lifecycle sees it: what a change says (the topology translates the
 * wire {@code ScheduleChange} into it; a delete arrives as {@code null}), and what the scheduler
 * stores of it. It has no wire framing (payload version, upsert or delete); everything else is the
 * change's, under the same names. Pure.
 *
 * <p>Stored, a definition has no recipients (they live in their own store, see {@link #stored()})
 * and no mapping errors; an invalid one is kept only as a {@link #skeleton()}.
 *
 * @param scheduleKey {@code recurring:<id>}, {@code broadcast:<id>} or {@code autopost:<id>}
 * @param kind which table or kind the schedule belongs to
 * @param tenantId owner; must own {@code deviceId}
 * @param deviceId the WhatsApp device that sends
 * @param name human-readable name
 * @param message text template
 * @param mediaUrl optional http(s) URL of an image or document
 * @param recipients raw recipients as the change had them; null when the change had none
 * @param rule when to fire
 * @param pacing how the device lane paces the sends
 * @param active false for inactive, draft or cancelled definitions
 * @param sourceStatus the row's own status column when it has one (broadcasts), else null
 * @param sourceVersion monotonic version of the source
 * @param createdAt the rule's anchor; never moves once stored
 * @param mappingErrors problems found before the scheduler saw the definition (never null)
 * @param template the approved template for outside the 24-hour window (ADR 0021), or null
 * @param windowPolicy what the sender sends by the recipient's window, or null (the default)
 */
public record Definition(
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

  /** A definition of free text only (no template, default window policy). */
  public Definition(
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

  public Definition {
    recipients = recipients == null ? null : List.copyOf(recipients);
    mappingErrors = mappingErrors == null ? List.of() : List.copyOf(mappingErrors);
  }

  /** The definition as stored: recipients live in their own store, not in this value. */
  public Definition stored() {
    return copy(List.of(), createdAt, List.of());
  }

  /** A stored definition with its recipients put back, for a re-check. */
  public Definition withRecipients(List<String> newRecipients) {
    return copy(newRecipients, createdAt, List.of());
  }

  /**
   * What an invalid definition leaves in the store: who and when (for the row's state and for a
   * later fix's anchor), never its content. Content was not accepted, and may be as large as a
   * record allows: a store's changelog must not carry it.
   */
  public Definition skeleton() {
    return new Definition(
        scheduleKey,
        kind,
        clipId(tenantId),
        clipId(deviceId),
        null,
        null,
        null,
        List.of(),
        null,
        null,
        active,
        sourceStatus == null ? null : ErrorTexts.clip(sourceStatus, Limits.STATUS_MAX_CHARS),
        sourceVersion,
        createdAt,
        List.of());
  }

  /**
   * A definition without {@code createdAt} (a directly produced event) gets the stored one, else
   * now. The rule's anchor must not move on a redelivery: a {@code once} rule anchored at a new
   * instant would be a new occurrence with new command ids.
   */
  Definition anchored(Instant storedCreatedAt, Instant now) {
    if (createdAt != null) {
      return this;
    }
    return copy(recipients, storedCreatedAt != null ? storedCreatedAt : now, mappingErrors);
  }

  /** Whether the source's own status is one of {@code statuses} (lower case, trimmed). */
  boolean statusIs(String... statuses) {
    if (sourceStatus == null) {
      return false;
    }
    String s = sourceStatus.trim().toLowerCase(Locale.ROOT);
    for (String candidate : statuses) {
      if (candidate.equals(s)) {
        return true;
      }
    }
    return false;
  }

  /** The kind a schedule key names in its prefix ({@code recurring:…}), or null. */
  public static ScheduleKind kindOf(String key) {
    int colon = key.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      return ScheduleKind.fromWire(key.substring(0, colon));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String clipId(String id) {
    return id == null || id.length() <= Limits.ID_MAX_CHARS
        ? id
        : id.substring(0, Limits.ID_MAX_CHARS);
  }

  private Definition copy(
      List<String> newRecipients, Instant newCreatedAt, List<String> newMappingErrors) {
    return new Definition(
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        newRecipients,
        rule,
        pacing,
        active,
        sourceStatus,
        sourceVersion,
        newCreatedAt,
        newMappingErrors,
        template,
        windowPolicy);
  }
}
