package io.herald.e2e;

import java.time.Instant;
import java.util.function.Function;

/**
 * One entry of the poison catalogue: what it is, which way it enters Herald, how it is built and
 * fed, and what must come of it. Beyond its own outcome every case is also held to the same general
 * conditions (see {@code PoisonCatalogueIT}): both services alive with the same PID and ready, no
 * new fatal error in their logs, the healthy tenant's minute sent on time.
 *
 * @param label what the poison is, as shown in the results table
 * @param path how it enters
 * @param expect what must come of it
 * @param mention a phrase the error text must contain (case-insensitive), or null
 * @param feed inserts or produces it and says where to look
 */
record PoisonCase(
    String label,
    Path path,
    Expect expect,
    String mention,
    Function<PoisonCatalogue.Ctx, Fed> feed) {

  /** How the poison enters Herald. */
  enum Path {
    /** A PostgreSQL row, captured by CDC (Debezium) and mapped by the scheduler. */
    ROW,
    /** A record produced straight onto an input topic (the path other services use). */
    EVENT
  }

  /** What must come of it, besides the general conditions. */
  enum Expect {
    /** The row shows {@code invalid} ({@code failed} for a broadcast) and a bounded last_error. */
    INVALID,
    /** A {@code ScheduleError} for the key on herald.schedule-errors, message within bound. */
    ERROR,
    /** A dead letter for the key on herald.schedule-changes.dlq, with its coordinates. */
    DEAD_LETTER,
    /** Either of the two above (the record's key itself is the poison). */
    ERROR_OR_DEAD_LETTER,
    /** The row's change reaches its topic (or that topic's dead-letter topic): CDC carried on. */
    CARRIED,
    /** Sent, with a text within the WhatsApp bound (oversized data used in rendering is cut). */
    SENT_BOUNDED,
    /** Nothing specific to observe: the general conditions hold for a few seconds. */
    SURVIVES
  }

  /**
   * What was fed and where its outcome shows.
   *
   * @param table the row's table (ROW), else null
   * @param id the row's id (ROW), else null
   * @param key the schedule key, or its unique prefix when the key itself is huge
   * @param topic for CARRIED: the topic the change must reach
   * @param phone for SENT_BOUNDED: the recipient whose request must arrive
   * @param fireAt when the definition would fire if it were (wrongly) accepted
   */
  record Fed(String table, String id, String key, String topic, String phone, Instant fireAt) {

    static Fed row(String table, String id, String key, Instant fireAt) {
      return new Fed(table, id, key, null, null, fireAt);
    }

    static Fed event(String key, Instant fireAt) {
      return new Fed(null, null, key, null, null, fireAt);
    }

    static Fed carried(String table, String id, String topic) {
      return new Fed(table, id, id, topic, null, null);
    }

    static Fed sent(String table, String id, String key, String phone, Instant fireAt) {
      return new Fed(table, id, key, null, phone, fireAt);
    }

    static Fed nothing() {
      return new Fed(null, null, null, null, null, null);
    }
  }
}
