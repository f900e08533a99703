package io.herald.sender.config;

import io.herald.runtime.config.EnvReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The webhook projection (ADR 0021, decision 4): statuses, inbound messages and quality updates
 * read from {@code herald.whatsapp-webhooks} into PostgreSQL.
 *
 * @param enabled HERALD_SENDER_WEBHOOK_PROJECTION (default true); its consumer group is {@code
 *     <groupId>-webhooks}
 * @param optOutKeywords HERALD_OPT_OUT_KEYWORDS, comma-separated words that opt the sending contact
 *     out when an inbound text message is exactly one of them, case and space insensitive (default
 *     STOP,BERHENTI); empty turns opt-out by keyword off
 */
public record WebhookSettings(boolean enabled, List<String> optOutKeywords) {

  static final String ENABLED = "HERALD_SENDER_WEBHOOK_PROJECTION";

  // shared with whatever else reads inbound keywords: not HERALD_SENDER_-prefixed
  static final String KEYWORDS = "HERALD_OPT_OUT_KEYWORDS";

  /** A keyword longer than this cannot be a one-word reply; refused as a likely mistake. */
  static final int KEYWORD_MAX_CHARS = 64;

  public WebhookSettings {
    optOutKeywords = List.copyOf(optOutKeywords);
  }

  static WebhookSettings parse(EnvReader r) {
    boolean enabled = r.bool(ENABLED, true);
    List<String> keywords = new ArrayList<>();
    for (String part : r.optional(KEYWORDS, "STOP,BERHENTI").split(",")) {
      String k = part.strip();
      if (k.isEmpty()) {
        continue;
      }
      if (k.length() > KEYWORD_MAX_CHARS) {
        r.problem(
            KEYWORDS + ": keyword " + (keywords.size() + 1) + " is longer than 64 characters");
        continue;
      }
      keywords.add(k);
    }
    return new WebhookSettings(enabled, keywords);
  }
}
