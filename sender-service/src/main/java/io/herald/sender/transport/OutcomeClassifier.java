package io.herald.sender.transport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Classifies a transport answer into an {@link Outcome}. Pure: the error-code table below is the
 * one place that decides what is retried, what fails at once and what pauses a device; an operator
 * can override rows with {@code HERALD_SENDER_ERROR_CLASSES} (see the README).
 *
 * <p>Order: no answer decides by the rows {@code timeout} and {@code connection} (transient by
 * default); a 2xx is sent; a known error code decides by the table; otherwise HTTP 429 is
 * rate-limited, 408 and 5xx are transient and every other status is permanent.
 */
public final class OutcomeClassifier {

  /** The default table, from the WhatsApp Cloud API error reference (see WHATSAPP-NOTES.md). */
  public static final Map<String, ErrorClass> DEFAULT_TABLE = defaultTable();

  private final Map<String, ErrorClass> table;

  /** The default table. */
  public OutcomeClassifier() {
    this(Map.of());
  }

  /** The default table with {@code overrides} applied on top (code -> class). */
  public OutcomeClassifier(Map<String, ErrorClass> overrides) {
    Map<String, ErrorClass> t = new LinkedHashMap<>(DEFAULT_TABLE);
    t.putAll(overrides);
    this.table = Collections.unmodifiableMap(t);
  }

  /** The effective table (code -> class), for the startup echo. */
  public Map<String, ErrorClass> table() {
    return table;
  }

  public Outcome classify(TransportResponse r) {
    Objects.requireNonNull(r, "response");
    String code;
    String reason;
    ErrorClass cls;
    switch (r.failure()) {
      case TIMEOUT:
        // the message may have gone out: an operator who prefers a lost message to a duplicate
        // sets timeout=permanent
        code = "timeout";
        reason = reason(r, "no answer in time");
        cls = table.getOrDefault(code, ErrorClass.TRANSIENT);
        break;
      case CONNECTION:
        code = "connection";
        reason = reason(r, "connection failed");
        cls = table.getOrDefault(code, ErrorClass.TRANSIENT);
        break;
      default:
        int status = r.httpStatus();
        if (status >= 200 && status < 300 && r.errorCode() == null) {
          return new Outcome.Sent(r.messageId());
        }
        code = r.errorCode() != null ? r.errorCode() : "http_" + status;
        ErrorClass byCode = r.errorCode() == null ? null : table.get(r.errorCode());
        cls = byCode != null ? byCode : byStatus(status);
        reason = reason(r, "HTTP " + status);
        break;
    }
    switch (cls) {
      case RATE_LIMITED:
        return new Outcome.Transient(code, reason, r.retryAfter(), true);
      case TRANSIENT:
        return new Outcome.Transient(code, reason, r.retryAfter(), false);
      case ACCOUNT_DANGER:
        return new Outcome.AccountDanger(code, reason);
      case PERMANENT:
      default:
        return new Outcome.Permanent(code, reason);
    }
  }

  private static ErrorClass byStatus(int status) {
    if (status == 429) {
      return ErrorClass.RATE_LIMITED;
    }
    if (status == 408 || status >= 500) {
      return ErrorClass.TRANSIENT;
    }
    return ErrorClass.PERMANENT;
  }

  private static String reason(TransportResponse r, String fallback) {
    String m = r.errorMessage();
    if (m == null || m.isBlank()) {
      return fallback;
    }
    return m.length() > 300 ? m.substring(0, 300) : m;
  }

  private static Map<String, ErrorClass> defaultTable() {
    Map<String, ErrorClass> t = new LinkedHashMap<>();
    // no answer at all: retried by default (see the README's Gotchas on duplicates)
    t.put("timeout", ErrorClass.TRANSIENT);
    t.put("connection", ErrorClass.TRANSIENT);
    // transient: retry with backoff, the pacer slows the device down on rate limits
    t.put("130429", ErrorClass.RATE_LIMITED); // throughput exceeded
    t.put("131056", ErrorClass.RATE_LIMITED); // pair rate limit
    t.put("4", ErrorClass.RATE_LIMITED); // app request limit
    t.put("80007", ErrorClass.RATE_LIMITED); // account request limit
    t.put("131016", ErrorClass.TRANSIENT); // service unavailable
    t.put("131000", ErrorClass.TRANSIENT); // something went wrong
    // permanent for this recipient: fail at once
    t.put("131026", ErrorClass.PERMANENT); // undeliverable
    t.put("131047", ErrorClass.PERMANENT); // outside the 24-hour window
    t.put("131049", ErrorClass.PERMANENT); // per-user marketing limit
    // account danger: retrying worsens the account's standing
    t.put("131048", ErrorClass.ACCOUNT_DANGER); // spam rate limit
    t.put("368", ErrorClass.ACCOUNT_DANGER); // temporarily blocked for policy violations
    return Collections.unmodifiableMap(t);
  }
}
