package io.herald.sender.webhook;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The messaging-limit tier a {@code phone_number_quality_update} reports, as the number {@code
 * devices.messaging_limit_reported} holds: {@code TIER_250} is 250, {@code TIER_1K} 1000, {@code
 * TIER_100K} 100000, {@code TIER_UNLIMITED} (or {@code UNLIMITED}) null (not enforced). A plain
 * number ({@code max_daily_conversations_per_business}, which replaces {@code current_limit} in the
 * provider's newer payloads) is taken as it is. Pure.
 *
 * @param unlimited the number has no messaging limit
 * @param limit unique recipients per rolling 24 hours; null when {@code unlimited}
 */
public record ReportedLimit(boolean unlimited, Integer limit) {

  private static final Pattern TIER =
      Pattern.compile("(?:TIER_)?(\\d{1,9})([KM]?)", Pattern.CASE_INSENSITIVE);

  /**
   * The limit a tier word names; null when it names none we can use (absent, {@code TIER_NOT_SET},
   * unknown words): then the reported limit stays as it is.
   */
  public static ReportedLimit parse(String tier) {
    if (tier == null) {
      return null;
    }
    String t = tier.strip().toUpperCase(Locale.ROOT);
    if (t.equals("TIER_UNLIMITED") || t.equals("UNLIMITED")) {
      return new ReportedLimit(true, null);
    }
    Matcher m = TIER.matcher(t);
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    if (m.group(2).equals("K")) {
      n *= 1_000;
    } else if (m.group(2).equals("M")) {
      n *= 1_000_000;
    }
    if (n <= 0 || n > Integer.MAX_VALUE) {
      return null;
    }
    return new ReportedLimit(false, (int) n);
  }
}
