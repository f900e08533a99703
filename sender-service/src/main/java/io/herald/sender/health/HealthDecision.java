package io.herald.sender.health;

import io.herald.contracts.limit.Limits;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What the prober writes on a device row after a probe. Herald owns only its own mark, status
 * {@code disconnected} with a {@code paused_reason} starting {@code session:}: it sets the mark on
 * a device it considers live (status {@code active}, null, or a live word of {@code
 * HERALD_SEED_COMPAT}), refreshes the reason while the session stays lost, and lifts the mark when
 * the session is back. A device an operator paused (any other reason) or Herald marked invalid is
 * never touched, whatever its session says. Pure.
 */
public final class HealthDecision {

  /** The status of Herald's mark. */
  public static final String DISCONNECTED = "disconnected";

  /** The prefix of Herald's reason: tells its mark from an operator's. */
  public static final String REASON_PREFIX = "session: ";

  /** What to write. */
  public enum Kind {
    NONE,
    /** Set (or refresh) Herald's mark, compare-and-set on the status and reason read. */
    MARK,
    /** Lift Herald's mark: status {@code active}, reason cleared. */
    RESTORE
  }

  /**
   * @param kind what to write
   * @param reason the new {@code paused_reason} of a {@link Kind#MARK}, else null
   */
  public record Action(Kind kind, String reason) {
    static final Action NONE = new Action(Kind.NONE, null);
    static final Action RESTORE = new Action(Kind.RESTORE, null);
  }

  private final Set<String> liveStatuses;

  /**
   * @param liveStatuses lower-case status words that send ({@code active} and, with seed compat,
   *     the seed's)
   */
  public HealthDecision(Set<String> liveStatuses) {
    this.liveStatuses = Set.copyOf(Objects.requireNonNull(liveStatuses, "liveStatuses"));
  }

  /** The write for a row read with {@code status} and {@code pausedReason} after {@code probe}. */
  public Action decide(String status, String pausedReason, ProbeResult probe) {
    boolean heraldMark = isHeraldMark(status, pausedReason);
    if (probe.health() == SessionHealth.HEALTHY) {
      return heraldMark ? Action.RESTORE : Action.NONE;
    }
    if (!probe.health().lost()) {
      return Action.NONE; // unknown or refused: a failed probe is no evidence
    }
    String reason = reason(probe.state());
    if (live(status) || (heraldMark && !reason.equals(pausedReason))) {
      return new Action(Kind.MARK, reason);
    }
    return Action.NONE;
  }

  /**
   * True when a probe could change the row: it is live, or carries Herald's mark. Other rows (an
   * operator's pause, an invalid row) are not even probed.
   */
  public boolean concerns(String status, String pausedReason) {
    return live(status) || isHeraldMark(status, pausedReason);
  }

  /** True when the row carries Herald's session mark. */
  public static boolean isHeraldMark(String status, String pausedReason) {
    return status != null
        && DISCONNECTED.equals(status.trim().toLowerCase(Locale.ROOT))
        && pausedReason != null
        && pausedReason.startsWith(REASON_PREFIX);
  }

  private boolean live(String status) {
    // a null status sends (Device.active), so it is live too
    return status == null || liveStatuses.contains(status.trim().toLowerCase(Locale.ROOT));
  }

  /** {@code session: <STATE>}, bounded like an error reason. */
  static String reason(String state) {
    String r = REASON_PREFIX + (state == null ? "UNKNOWN" : state);
    return r.length() <= Limits.ERROR_REASON_MAX_CHARS
        ? r
        : r.substring(0, Limits.ERROR_REASON_MAX_CHARS);
  }
}
