package io.herald.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the real Cloud API enforces that a scripted answer does not (ADR 0021), off until a test
 * turns it on: the 24-hour customer-service window per contact (free-form messages outside it are
 * refused with 131047) and approved templates (an unknown name or language is 132001, a body
 * parameter count other than the approved one 132000).
 */
final class FakeCloudRules {

  private static final Duration WINDOW = Duration.ofHours(24);

  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Instant> lastInbound = new ConcurrentHashMap<>();
  private final Map<String, Integer> approved = new ConcurrentHashMap<>();
  private volatile boolean windows;

  void enforceWindows(boolean on) {
    windows = on;
  }

  void inbound(String recipient, Instant at) {
    lastInbound.merge(
        FakeWhatsAppApi.normalizeRecipient(recipient), at, (a, b) -> a.isAfter(b) ? a : b);
  }

  void approve(String name, String language, int bodyParameters) {
    approved.put(name + "/" + language, bodyParameters);
  }

  void clear() {
    windows = false;
    lastInbound.clear();
    approved.clear();
  }

  /** The provider's refusal of this request, or null when the rules let it through. */
  Answer check(String to, String type, String body) {
    if ("template".equals(type)) {
      return approved.isEmpty() ? null : template(body);
    }
    if (!windows) {
      return null;
    }
    Instant last = lastInbound.get(FakeWhatsAppApi.normalizeRecipient(to));
    if (last == null || !last.plus(WINDOW).isAfter(Instant.now())) {
      return Answer.reEngagementRequired();
    }
    return null;
  }

  private Answer template(String body) {
    JsonNode t;
    try {
      t = json.readTree(body).path("template");
    } catch (Exception e) {
      return null; // the wire parser reported it already
    }
    String key = t.path("name").asText() + "/" + t.path("language").path("code").asText();
    Integer wanted = approved.get(key);
    if (wanted == null) {
      return Answer.error(404, 132001, "(#132001) Template name does not exist in the translation");
    }
    int got = 0;
    for (JsonNode c : t.path("components")) {
      if ("body".equals(c.path("type").asText())) {
        got += c.path("parameters").size();
      }
    }
    if (got != wanted) {
      return Answer.error(
          400,
          132000,
          "(#132000) Number of parameters does not match the expected number of params");
    }
    return null;
  }
}
