package io.herald.contracts.limit;

/**
 * Every bound Herald puts on input, in one place (the README's "Limits" table lists them). A
 * definition over a bound is rejected at validation with a readable reason; it is never found out
 * at fire time, and nothing derived from it (records, error texts, rendered text) can grow past the
 * Kafka record size that every producer and topic agrees on.
 */
public final class Limits {

  // ---- Kafka records: one figure end to end -----------------------------------------------

  /** Largest record any Herald producer sends ({@code max.request.size}, Streams included). */
  public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

  /**
   * {@code max.message.bytes} of every Herald topic, dead-letter topic and changelog: above {@link
   * #MAX_RECORD_BYTES} by a batch's framing, so whatever a producer accepts the broker accepts too.
   */
  public static final int TOPIC_MAX_MESSAGE_BYTES = MAX_RECORD_BYTES + 64 * 1024;

  /**
   * Largest serialized schedule definition accepted; a larger one is rejected as "definition too
   * large" (leaves room for headers and for the dead-letter copy of a record).
   */
  public static final int MAX_DEFINITION_BYTES = 4 * 1024 * 1024;

  /** Largest value kept in a dead letter; a larger original is cut and says so in a header. */
  public static final int MAX_DEAD_LETTER_VALUE_BYTES = MAX_RECORD_BYTES - 256 * 1024;

  // ---- Definitions ------------------------------------------------------------------------

  /** Message text (WhatsApp's limit for a text message), in characters (code points). */
  public static final int MESSAGE_MAX_CHARS = 4_096;

  /** Message text sent with media (WhatsApp's caption limit), in characters. */
  public static final int CAPTION_MAX_CHARS = 1_024;

  /** A definition's name. */
  public static final int NAME_MAX_CHARS = 255;

  /** A media URL; its scheme must be http or https. */
  public static final int MEDIA_URL_MAX_CHARS = 2_048;

  /** An IANA time zone id (the longest real one has 32 characters). */
  public static final int TIMEZONE_MAX_CHARS = 64;

  /** A cron expression (5 fields). */
  public static final int CRON_MAX_CHARS = 256;

  /** Other textual rule fields: frequency, unit, time of day, dates, catch-up, scheduledAt. */
  public static final int RULE_TEXT_MAX_CHARS = 64;

  /** Entries of {@code days_of_week}. */
  public static final int DAYS_OF_WEEK_MAX_ENTRIES = 7;

  /** Tenant, device and contact ids. */
  public static final int ID_MAX_CHARS = 128;

  /** A schedule key ({@code <kind>:<id>}). */
  public static final int SCHEDULE_KEY_MAX_CHARS = 160;

  /** A row's own status word. */
  public static final int STATUS_MAX_CHARS = 32;

  /** One recipient entry (E.164 number, contact id or group id), before canonicalisation. */
  public static final int RECIPIENT_MAX_CHARS = 128;

  /** Recipients of one definition, unless the operator sets HERALD_SCHEDULER_MAX_RECIPIENTS. */
  public static final int DEFAULT_MAX_RECIPIENTS = 50_000;

  /** Nesting depth of braces in a message template ({@code {a|{b|c}}} has depth 2). */
  public static final int TEMPLATE_MAX_DEPTH = 8;

  /** Brace groups (variables and spintax) in one template. */
  public static final int TEMPLATE_MAX_GROUPS = 512;

  /** A device's {@code transport_config} JSON, in bytes. */
  public static final int TRANSPORT_CONFIG_MAX_BYTES = 16 * 1024;

  /**
   * The part of a transport's HTTP answer (WhatsApp, a gateway) the sender reads; the rest is
   * dropped unread and the connection closed.
   */
  public static final int TRANSPORT_RESPONSE_MAX_BYTES = 64 * 1024;

  // ---- Contacts (used in rendering) -------------------------------------------------------

  /** A contact's display name; longer names are cut. */
  public static final int CONTACT_NAME_MAX_CHARS = 255;

  /** Extra fields of one contact; fields beyond are dropped. */
  public static final int CONTACT_FIELDS_MAX_ENTRIES = 50;

  /** A contact field's name; longer names drop the field. */
  public static final int CONTACT_FIELD_KEY_MAX_CHARS = 64;

  /**
   * A contact field's value; longer values are cut. Small enough that a template naming a dozen
   * fields still fits a WhatsApp message at worst (the validator checks the worst case).
   */
  public static final int CONTACT_FIELD_VALUE_MAX_CHARS = 256;

  // ---- Error texts ------------------------------------------------------------------------

  /** Reasons named one by one in an error; the rest are counted ("and N more"). */
  public static final int ERROR_REASONS_LISTED = 10;

  /** One reason, in characters. */
  public static final int ERROR_REASON_MAX_CHARS = 300;

  /** A whole error text (last_error, error_message, dead-letter reason), in characters. */
  public static final int ERROR_TEXT_MAX_CHARS = 2_000;

  /** A user value quoted inside an error text. */
  public static final int ECHO_MAX_CHARS = 40;

  /**
   * The first {@code maxChars} characters (code points, never half a surrogate pair) of {@code s},
   * as they are: for values that are cut to their bound rather than rejected (a contact's name, a
   * field value). Null stays null.
   */
  public static String cut(String s, int maxChars) {
    if (s == null || s.length() <= maxChars) {
      return s;
    }
    int end = s.offsetByCodePoints(0, Math.min(maxChars, s.codePointCount(0, s.length())));
    return s.substring(0, end);
  }

  private Limits() {}
}
