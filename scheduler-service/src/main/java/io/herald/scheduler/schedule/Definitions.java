package io.herald.scheduler.schedule;

import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The shapes a definition is stored in, and what a schedule key says on its own. Pure. */
public final class Definitions {

  private Definitions() {}

  /** The definition as stored: recipients live in their own store, not in this value. */
  public static ScheduleChange stored(ScheduleChange c) {
    return copy(c, List.of(), c.createdAt(), List.of());
  }

  /** A stored definition with its recipients put back, for a re-check. */
  public static ScheduleChange withRecipients(ScheduleChange c, List<String> recipients) {
    return copy(c, recipients, c.createdAt(), List.of());
  }

  /**
   * What an invalid definition leaves in the store: who and when (for the row's state and for a
   * later fix's anchor), never its content. Content was not accepted, and may be as large as a
   * record allows: a store's changelog must not carry it.
   */
  public static ScheduleChange skeleton(ScheduleChange c) {
    if (c == null) {
      return null;
    }
    return new ScheduleChange(
        c.schemaVersion(),
        c.op(),
        c.scheduleKey(),
        c.kind(),
        clipId(c.tenantId()),
        clipId(c.deviceId()),
        null,
        null,
        null,
        List.of(),
        null,
        null,
        c.active(),
        c.sourceStatus() == null
            ? null
            : ErrorTexts.clip(c.sourceStatus(), Limits.STATUS_MAX_CHARS),
        c.sourceVersion(),
        c.createdAt(),
        List.of());
  }

  /**
   * A change without {@code createdAt} (a directly produced event) gets the stored one, else now.
   * The rule's anchor must not move on a redelivery: a {@code once} rule anchored at a new instant
   * would be a new occurrence with new command ids.
   */
  static ScheduleChange withCreatedAt(ScheduleChange c, Instant storedCreatedAt, Instant now) {
    if (c.createdAt() != null) {
      return c;
    }
    return copy(
        c, c.recipients(), storedCreatedAt != null ? storedCreatedAt : now, c.mappingErrors());
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

  static boolean statusIs(ScheduleChange change, String... statuses) {
    if (change.sourceStatus() == null) {
      return false;
    }
    String s = change.sourceStatus().trim().toLowerCase(Locale.ROOT);
    for (String candidate : statuses) {
      if (candidate.equals(s)) {
        return true;
      }
    }
    return false;
  }

  private static String clipId(String id) {
    return id == null || id.length() <= Limits.ID_MAX_CHARS
        ? id
        : id.substring(0, Limits.ID_MAX_CHARS);
  }

  private static ScheduleChange copy(
      ScheduleChange c, List<String> recipients, Instant createdAt, List<String> mappingErrors) {
    return new ScheduleChange(
        c.schemaVersion(),
        c.op(),
        c.scheduleKey(),
        c.kind(),
        c.tenantId(),
        c.deviceId(),
        c.name(),
        c.message(),
        c.mediaUrl(),
        recipients,
        c.rule(),
        c.pacing(),
        c.active(),
        c.sourceStatus(),
        c.sourceVersion(),
        createdAt,
        mappingErrors);
  }
}
