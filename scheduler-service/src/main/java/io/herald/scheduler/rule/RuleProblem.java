package io.herald.scheduler.rule;

import io.herald.contracts.outcome.ErrorReason;
import java.util.Objects;

/**
 * One reason a rule is invalid, phrased so the user can fix it, e.g. {@code "timezone 'Asia/Jakart'
 * is not an IANA zone (did you mean Asia/Jakarta?)"}.
 *
 * @param reason {@link ErrorReason#UNKNOWN_TIMEZONE} for a bad zone, otherwise {@link
 *     ErrorReason#INVALID_RULE}
 * @param message names the column and the offending value
 */
public record RuleProblem(ErrorReason reason, String message) {

  public RuleProblem {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return message;
  }
}
