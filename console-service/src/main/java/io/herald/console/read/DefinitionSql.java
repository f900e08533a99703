package io.herald.console.read;

/**
 * The statements that read a definition's accounting from the state columns Herald keeps, shared by
 * {@code herald status} and the console so both show the same numbers. Each selects {@code kind,
 * id, user_id, name, status, next_due, fired, recipients, last_error, sent, delivered, read,
 * failed, unknown, expired, skipped, reasons}.
 */
public final class DefinitionSql {

  /** Occurrences a definition's history lists; the rest are counted. */
  public static final int HISTORY_LIMIT = 50;

  private DefinitionSql() {}

  /**
   * Every definition (or the one whose id is bound to all 3 parameters) with its counts from the
   * state columns Herald keeps, in one statement: a broadcast's own row, a recurring message's or
   * auto-post's sums over its occurrences' history rows (recipients and outcomes from the same
   * rows, so a retention purge of old deliveries moves neither; ADR 0019). A broadcast is due only
   * while it waits (draft or scheduled, not started).
   */
  public static String definitionsSql(boolean one) {
    return occurrencesDefinition("recurring", "recurring_messages", "recurring_message_logs", one)
        + " UNION ALL SELECT 'broadcast' AS kind, b.id, b.user_id, b.name, b.status,"
        + " CASE WHEN b.status IN ('draft', 'scheduled') AND b.started_at IS NULL"
        + " THEN b.scheduled_at END AS next_due,"
        + " CASE WHEN b.started_at IS NOT NULL OR b.total_count IS NOT NULL THEN 1 ELSE 0 END"
        + " AS fired, COALESCE(b.total_count, 0) AS recipients, b.last_error,"
        + " b.sent_count AS sent, b.delivered_count AS delivered, b.read_count AS read,"
        + " b.failed_count AS failed, b.unknown_count AS unknown,"
        + " b.expired_count AS expired, b.skipped_count AS skipped, "
        + reasonsOf("b.skipped_reasons")
        + " AS reasons FROM broadcasts b"
        + (one ? " WHERE b.id = ?" : "")
        + " UNION ALL "
        + occurrencesDefinition("autopost", "auto_post_schedules", "auto_post_logs", one)
        + " ORDER BY kind, name, id";
  }

  private static String occurrencesDefinition(
      String kind, String table, String logTable, boolean one) {
    String column = scheduleColumn(kind);
    return "SELECT '"
        + kind
        + "' AS kind, t.id, t.user_id, t.name, t.status, t.next_send_at AS next_due,"
        + " t.execution_count AS fired, COALESCE(h.recipients, 0) AS recipients, t.last_error,"
        + " COALESCE(h.sent, 0) AS sent, COALESCE(h.delivered, 0) AS delivered,"
        + " COALESCE(h.read, 0) AS read, COALESCE(h.failed, 0) AS failed,"
        + " COALESCE(h.unknown, 0) AS unknown, COALESCE(h.expired, 0) AS expired,"
        + " COALESCE(h.skipped, 0) AS skipped, r.reasons FROM "
        + table
        + " t LEFT JOIN (SELECT "
        + column
        + " AS sid, sum(recipient_count) AS recipients, sum(sent_to_count) AS sent,"
        + " sum(delivered_count) AS delivered, sum(read_count) AS read,"
        + " sum(failed_count) AS failed, sum(unknown_count) AS unknown,"
        + " sum(expired_count) AS expired, sum(skipped_count) AS skipped FROM "
        + logTable
        + " GROUP BY 1) h ON h.sid = t.id"
        + " LEFT JOIN (SELECT sid, string_agg(key || '=' || n, ' ' ORDER BY n DESC, key) AS reasons"
        + " FROM (SELECT l."
        + column
        + " AS sid, e.key, sum(CASE WHEN jsonb_typeof(e.value) = 'number'"
        + " THEN (e.value #>> '{}')::numeric ELSE 0 END) AS n FROM "
        + logTable
        + " l, jsonb_each(CASE WHEN jsonb_typeof(l.skipped_reasons) = 'object'"
        + " THEN l.skipped_reasons END) e GROUP BY 1, 2) x GROUP BY sid) r ON r.sid = t.id"
        + (one ? " WHERE t.id = ?" : "");
  }

  /**
   * The newest {@link #HISTORY_LIMIT} occurrences of one definition (its id bound to the one
   * parameter), each with the count of all of them. A broadcast has one occurrence, its own row,
   * once it fired.
   */
  public static String historySql(String kind) {
    boolean broadcast = kind.equals("broadcast");
    String counts =
        (broadcast ? " sent_count" : " sent_to_count")
            + " AS sent, delivered_count AS delivered, read_count AS read,"
            + " failed_count AS failed, unknown_count AS unknown,"
            + " expired_count AS expired, skipped_count AS skipped, "
            + reasonsOf("skipped_reasons")
            + " AS reasons, status, count(*) OVER () AS occurrences";
    if (broadcast) {
      return "SELECT COALESCE(scheduled_at, started_at) AS occurrence_at, started_at AS fired_at,"
          + " completed_at, total_count AS recipients,"
          + counts
          + " FROM broadcasts WHERE id = ? AND (started_at IS NOT NULL OR total_count IS NOT NULL)";
    }
    return "SELECT occurrence_at, execution_time AS fired_at, completed_at,"
        + " recipient_count AS recipients,"
        + counts
        + " FROM "
        + (kind.equals("recurring") ? "recurring_message_logs" : "auto_post_logs")
        + " WHERE "
        + scheduleColumn(kind)
        + " = ? ORDER BY occurrence_at DESC NULLS LAST, id DESC LIMIT "
        + HISTORY_LIMIT;
  }

  private static String scheduleColumn(String kind) {
    return kind.equals("recurring") ? "recurring_message_id" : "auto_post_schedule_id";
  }

  /** {@code {"opted_out":5,"unknown_contact":1}} as {@code opted_out=5 unknown_contact=1}. */
  private static String reasonsOf(String column) {
    return "(SELECT string_agg(key || '=' || (value #>> '{}'), ' ' ORDER BY"
        + " CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::numeric END"
        + " DESC NULLS LAST, key) FROM jsonb_each(CASE WHEN jsonb_typeof("
        + column
        + ") = 'object' THEN "
        + column
        + " END))";
  }
}
