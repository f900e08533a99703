package io.herald.sender.transport;

import io.herald.sender.delivery.ErrorClass;
import io.herald.sender.delivery.Outcome;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Classifies a transport answer into an {@link Outcome}. Pure: the error-code table below is the
 * one place that decides what is retried, what fails at once and what pauses a device; an operator
 * can override rows with {@code HERALD_SENDER_ERROR_CLASSES} (see the README).
 *
 * <p>Order: no answer decides by the rows {@code connection} (the request certainly did not reach
 * the server: transient by default), {@code timeout} and {@code connection_lost} (it may have been
 * received: {@link ErrorClass#UNKNOWN} by default, never resent in at-most-once mode); a 2xx is
 * sent; a known error code decides by the table; otherwise HTTP 429 is rate-limited, 408 and 5xx
 * are transient and every other status is permanent. An answer, even an error, means the server
 * decided, so only the absence of one can be {@code unknown} by default.
 */
public final class OutcomeClassifier {

  /** Code of a request that left without an answer in time (it may have been received). */
  public static final String TIMEOUT = "timeout";

  /** Code of a connection lost after the request may have been written. */
  public static final String CONNECTION_LOST = "connection_lost";

  /** Code of a connection that could not be made (the request never reached the server). */
  public static final String CONNECTION = "connection";

  /** The codes of calls whose request may have reached the server without an answer. */
  public static final Set<String> MAY_HAVE_ARRIVED = Set.of(TIMEOUT, CONNECTION_LOST);

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

  /**
   * The codes of calls that may have reached the server (see {@link #MAY_HAVE_ARRIVED}) that an
   * operator override makes retried whatever the delivery mode ({@code transient} or {@code
   * rate_limited}): a duplicate is then possible even in at-most-once mode. Empty by default.
   */
  public Set<String> resentAlthoughMaybeReceived() {
    Set<String> out = new TreeSet<>();
    for (String code : MAY_HAVE_ARRIVED) {
      ErrorClass c = table.get(code);
      if (c == ErrorClass.TRANSIENT || c == ErrorClass.RATE_LIMITED) {
        out.add(code);
      }
    }
    return Collections.unmodifiableSet(out);
  }

  public Outcome classify(TransportResponse r) {
    Objects.requireNonNull(r, "response");
    String code;
    String reason;
    ErrorClass cls;
    switch (r.failure()) {
      case TIMEOUT:
        // the request left and no answer came: WhatsApp may have sent the message
        code = TIMEOUT;
        reason = reason(r, "no answer in time");
        cls = table.getOrDefault(code, ErrorClass.UNKNOWN);
        break;
      case CONNECTION_LOST:
        // reset, closed or incomplete answer after the request may have been written
        code = CONNECTION_LOST;
        reason = reason(r, "connection lost after the request was sent");
        cls = table.getOrDefault(code, ErrorClass.UNKNOWN);
        break;
      case CONNECTION:
        // refused, connect timeout, DNS, TLS handshake: the request never reached the server
        code = CONNECTION;
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
      case UNKNOWN:
        return new Outcome.Unknown(code, reason, r.retryAfter());
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
    // no answer at all. The request may have been received (no idempotency key on WhatsApp's
    // side): unknown, never resent in at-most-once mode, retried in at-least-once mode
    t.put(TIMEOUT, ErrorClass.UNKNOWN);
    t.put(CONNECTION_LOST, ErrorClass.UNKNOWN);
    // the request certainly did not reach the server: retried
    t.put(CONNECTION, ErrorClass.TRANSIENT);
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
