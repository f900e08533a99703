package io.herald.scheduler.projector;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;

/**
 * The SQL of the write-back, one statement group per event, all idempotent: the caller runs a batch
 * in one transaction and may replay it after a crash.
 *
 * <p>Ordering: states, occurrences and errors come from three topics with no order between them, so
 * a decision is applied only when it is not older than the row's, by {@code (execution_count,
 * scheduler_state_at)} (the V2 migration's column). {@code execution_count} only grows ({@code
 * GREATEST}); log rows are unique per occurrence ({@code ON CONFLICT DO NOTHING}).
 *
 * <p>Only state columns are written (next_send_at, status, last_error, execution_count, started_at,
 * total_count, scheduler_state_at, updated_at), so CDC drops these updates. Every last_error goes
 * through {@link ErrorTexts#text}: bounded, and free of the NUL character that PostgreSQL's text
 * type refuses (which would make the record unwritable).
 */
final class StateWriter {

  /** Whether a write changed a row. */
  enum Result {
    APPLIED,
    /** Nothing changed: an older decision, an unknown row, or a replay. */
    NOOP,
    /** The event cannot name a row (bad key, unknown status). */
    SKIPPED
  }

  private static final Set<String> SCHEDULE_STATUSES =
      Set.of("active", "inactive", "finished", "invalid");

  /** (execution_count, scheduler_state_at) of the event is not older than the row's. */
  private static final String NOT_OLDER =
      "(execution_count < ? OR (execution_count = ?"
          + " AND (scheduler_state_at IS NULL OR scheduler_state_at <= ?)))";

  private static final String NOT_OLDER_AT =
      "(scheduler_state_at IS NULL OR scheduler_state_at <= ?)";

  Result state(Connection c, ScheduleState s, Instant fallbackAt) throws SQLException {
    UUID id = idOf(s.scheduleKey());
    ScheduleKind kind = kindOf(s.kind(), s.scheduleKey());
    if (id == null || kind == null || s.status() == null) {
      return Result.SKIPPED;
    }
    Instant at = s.at() == null ? fallbackAt : s.at();
    boolean invalid = "invalid".equals(s.status());
    if (kind == ScheduleKind.BROADCAST) {
      return invalid ? broadcastFailed(c, id, s.lastError(), at) : broadcastClearError(c, id, at);
    }
    if (!SCHEDULE_STATUSES.contains(s.status())) {
      return Result.SKIPPED; // "deleted": the row is gone, nothing to show
    }
    String sql =
        "UPDATE "
            + table(kind)
            + " SET next_send_at = ?, status = ?, last_error = ?,"
            + " execution_count = GREATEST(execution_count, ?), scheduler_state_at = ?,"
            + " updated_at = now() WHERE id = ? AND "
            + NOT_OLDER;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      setInstant(ps, 1, s.nextDueAt());
      ps.setString(2, s.status());
      ps.setString(3, invalid ? lastError(s.lastError()) : null);
      ps.setLong(4, s.executionCount());
      setInstant(ps, 5, at);
      ps.setObject(6, id);
      ps.setLong(7, s.executionCount());
      ps.setLong(8, s.executionCount());
      setInstant(ps, 9, at);
      return result(ps.executeUpdate());
    }
  }

  Result occurrence(Connection c, Occurrence o, Instant fallbackAt) throws SQLException {
    UUID id = idOf(o.scheduleKey());
    ScheduleKind kind = kindOf(o.kind(), o.scheduleKey());
    if (id == null || kind == null || o.occurrenceAt() == null) {
      return Result.SKIPPED;
    }
    Instant at = o.firedAt() == null ? fallbackAt : o.firedAt();
    if (kind == ScheduleKind.BROADCAST) {
      // The sender marks it completed; a replay must not move it back to processing.
      String sql =
          "UPDATE broadcasts SET"
              + " status = CASE WHEN status IN ('scheduled', 'draft') THEN 'processing' ELSE status END,"
              + " started_at = COALESCE(started_at, ?), total_count = ?, updated_at = now()"
              + " WHERE id = ?";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        setInstant(ps, 1, at);
        ps.setInt(2, o.recipientCount());
        ps.setObject(3, id);
        return result(ps.executeUpdate());
      }
    }
    boolean logged = false;
    if (kind == ScheduleKind.RECURRING || kind == ScheduleKind.AUTOPOST) {
      boolean recurring = kind == ScheduleKind.RECURRING;
      String logs = recurring ? "recurring_message_logs" : "auto_post_logs";
      String column = recurring ? "recurring_message_id" : "auto_post_schedule_id";
      // Selected from the row so that user_id is the row's own, and a deleted schedule gets none.
      String log =
          "INSERT INTO "
              + logs
              + " ("
              + column
              + ", user_id, occurrence_at, execution_time, recipient_count, status)"
              + " SELECT id, user_id, ?, ?, ?, 'processing' FROM "
              + table(kind)
              + " WHERE id = ?"
              // The sender may have created the row first (its results can beat the occurrence of
              // a long fan-out): fill in what only the scheduler knows, once. The sender's
              // projection closes the occurrence when its counts reach recipient_count.
              + " ON CONFLICT ("
              + column
              + ", occurrence_at) DO UPDATE SET"
              + " recipient_count = EXCLUDED.recipient_count,"
              + " execution_time = COALESCE("
              + logs
              + ".execution_time, EXCLUDED.execution_time),"
              + " status = COALESCE("
              + logs
              + ".status, EXCLUDED.status)"
              + " WHERE "
              + logs
              + ".recipient_count IS NULL";
      try (PreparedStatement ps = c.prepareStatement(log)) {
        setInstant(ps, 1, o.occurrenceAt());
        setInstant(ps, 2, at);
        ps.setInt(3, o.recipientCount());
        ps.setObject(4, id);
        logged = ps.executeUpdate() > 0;
      }
    }
    String sql =
        "UPDATE "
            + table(kind)
            + " SET"
            + " execution_count = GREATEST(execution_count, ?), next_send_at = ?,"
            + " status = ?, last_error = NULL, scheduler_state_at = ?, updated_at = now()"
            + " WHERE id = ? AND "
            + NOT_OLDER;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, o.executionCount());
      setInstant(ps, 2, o.finished() ? null : o.nextDueAt());
      ps.setString(3, o.finished() ? "finished" : "active");
      setInstant(ps, 4, at);
      ps.setObject(5, id);
      ps.setLong(6, o.executionCount());
      ps.setLong(7, o.executionCount());
      setInstant(ps, 8, at);
      Result r = result(ps.executeUpdate());
      return logged ? Result.APPLIED : r;
    }
  }

  Result error(Connection c, ScheduleError e, Instant fallbackAt) throws SQLException {
    UUID id = idOf(e.scheduleKey());
    ScheduleKind kind = kindOf(e.kind(), e.scheduleKey());
    if (id == null || kind == null) {
      return Result.SKIPPED;
    }
    Instant at = e.detectedAt() == null ? fallbackAt : e.detectedAt();
    String message = e.message() != null ? e.message() : ErrorTexts.join(e.reasons());
    if (kind == ScheduleKind.BROADCAST) {
      return broadcastFailed(c, id, message, at);
    }
    String sql =
        "UPDATE "
            + table(kind)
            + " SET status = 'invalid', last_error = ?,"
            + " next_send_at = NULL, scheduler_state_at = ?, updated_at = now()"
            + " WHERE id = ? AND "
            + NOT_OLDER_AT;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, lastError(message));
      setInstant(ps, 2, at);
      ps.setObject(3, id);
      setInstant(ps, 4, at);
      return result(ps.executeUpdate());
    }
  }

  /**
   * Shows on the row that a decision for it could not be recorded (the record was dead-lettered):
   * {@code invalid} with {@code text} as last_error, like a schedule error; a broadcast that has
   * not started shows {@code failed}. Applied only when the row has no decision newer than {@code
   * at}, and scheduler_state_at is left as it is, so the next decision that can be recorded
   * replaces the mark.
   *
   * @param text what went wrong; bounded here
   * @param at when the unrecordable decision was made, at best (the record's timestamp)
   */
  Result unrecorded(Connection c, ScheduleKind kind, UUID id, String text, Instant at)
      throws SQLException {
    if (kind == ScheduleKind.BROADCAST) {
      String sql =
          "UPDATE broadcasts SET"
              + " status = CASE WHEN status = 'scheduled' THEN 'failed' ELSE status END,"
              + " last_error = ?, updated_at = now()"
              + " WHERE id = ? AND status IN ('draft', 'scheduled', 'failed') AND "
              + NOT_OLDER_AT;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, lastError(text));
        ps.setObject(2, id);
        setInstant(ps, 3, at);
        return result(ps.executeUpdate());
      }
    }
    String sql =
        "UPDATE "
            + table(kind)
            + " SET status = 'invalid', last_error = ?,"
            + " next_send_at = NULL, updated_at = now() WHERE id = ? AND "
            + NOT_OLDER_AT;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, lastError(text));
      ps.setObject(2, id);
      setInstant(ps, 3, at);
      return result(ps.executeUpdate());
    }
  }

  /**
   * Broadcasts keep their own vocabulary: an invalid definition shows as {@code failed} with the
   * reason, but only while it has not started; a draft keeps its status and shows the reason.
   */
  private static Result broadcastFailed(Connection c, UUID id, String message, Instant at)
      throws SQLException {
    String sql =
        "UPDATE broadcasts SET"
            + " status = CASE WHEN status = 'scheduled' THEN 'failed' ELSE status END,"
            + " last_error = ?, scheduler_state_at = ?, updated_at = now()"
            + " WHERE id = ? AND status IN ('draft', 'scheduled', 'failed') AND "
            + NOT_OLDER_AT;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, lastError(message));
      setInstant(ps, 2, at);
      ps.setObject(3, id);
      setInstant(ps, 4, at);
      return result(ps.executeUpdate());
    }
  }

  /** A valid broadcast that is still waiting sheds the reason of an earlier rejection. */
  private static Result broadcastClearError(Connection c, UUID id, Instant at) throws SQLException {
    String sql =
        "UPDATE broadcasts SET last_error = NULL, scheduler_state_at = ?,"
            + " updated_at = now() WHERE id = ? AND status IN ('draft', 'scheduled')"
            + " AND last_error IS NOT NULL AND "
            + NOT_OLDER_AT;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      setInstant(ps, 1, at);
      ps.setObject(2, id);
      setInstant(ps, 3, at);
      return result(ps.executeUpdate());
    }
  }

  /** A text for last_error: bounded and NUL-free; null stays null (no error). */
  static String lastError(String text) {
    return text == null ? null : ErrorTexts.text(text);
  }

  private static Result result(int rows) {
    return rows > 0 ? Result.APPLIED : Result.NOOP;
  }

  private static String table(ScheduleKind kind) {
    switch (kind) {
      case RECURRING:
        return "recurring_messages";
      case AUTOPOST:
        return "auto_post_schedules";
      case BROADCAST:
        return "broadcasts";
      default:
        throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  private static void setInstant(PreparedStatement ps, int index, Instant value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }

  /** The row id of {@code <kind>:<uuid>}, or null when the key names no row of ours. */
  static UUID idOf(String scheduleKey) {
    if (scheduleKey == null) {
      return null;
    }
    int i = scheduleKey.indexOf(':');
    try {
      return UUID.fromString(scheduleKey.substring(i + 1));
    } catch (IllegalArgumentException e) {
      return null; // produced directly by another service with its own ids
    }
  }

  static ScheduleKind kindOf(ScheduleKind declared, String scheduleKey) {
    if (declared != null) {
      return declared;
    }
    if (scheduleKey == null || scheduleKey.indexOf(':') < 0) {
      return null;
    }
    try {
      return ScheduleKind.fromWire(scheduleKey.substring(0, scheduleKey.indexOf(':')));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
