package io.herald.sender.webhook;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.serde.Json;
import io.herald.sender.webhook.ParsedWebhook.InboundMessage;
import io.herald.sender.webhook.ParsedWebhook.QualityUpdate;
import io.herald.sender.webhook.ParsedWebhook.StatusEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads a Cloud API webhook body ({@code ../shared/WHATSAPP-NOTES.md}, "Webhooks") into a {@link
 * ParsedWebhook}. Bounded whatever the body holds: at most {@link #MAX_ENTRIES} entries, {@link
 * #MAX_CHANGES} changes per entry and {@link #MAX_ITEMS} items in all, every kept string clipped. A
 * body that is not a JSON object with an {@code entry} array is malformed (the caller dead-letters
 * it); a single unusable item is skipped and counted, and fields Herald does not use are ignored,
 * so the provider may add some. Pure: no clock, no I/O.
 */
public final class WebhookParser {

  /** Entries read per body; the provider batches a few, never hundreds. */
  public static final int MAX_ENTRIES = 100;

  /** Changes read per entry. */
  public static final int MAX_CHANGES = 100;

  /** Statuses, messages and quality updates read per body, together. */
  public static final int MAX_ITEMS = 5_000;

  static final int MAX_ID_CHARS = 256;
  static final int MAX_NUMBER_CHARS = 64;
  static final int MAX_CODE_CHARS = 32;
  static final int MAX_ERROR_CHARS = 500;

  /** Seconds since the epoch, before year 5138: a larger number is not a timestamp. */
  private static final long MAX_EPOCH_SECONDS = 100_000_000_000L;

  private final OptOutKeywords keywords;

  public WebhookParser(OptOutKeywords keywords) {
    this.keywords = Objects.requireNonNull(keywords, "keywords");
  }

  /** The body cannot be read as a webhook at all. */
  public static final class MalformedWebhookException extends Exception {
    public MalformedWebhookException(String message) {
      super(message);
    }
  }

  /** Parses one body; never returns null. */
  public ParsedWebhook parse(String body) throws MalformedWebhookException {
    if (body == null || body.isBlank()) {
      throw new MalformedWebhookException("empty body");
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      // where, not what: Jackson's message quotes the body, which may be a contact's text
      JsonLocation at = e.getLocation();
      throw new MalformedWebhookException(
          at == null
              ? "not JSON"
              : "not JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedWebhookException("not a JSON object");
    }
    JsonNode entries = root.get("entry");
    if (entries == null || !entries.isArray()) {
      throw new MalformedWebhookException("no entry array");
    }
    Acc acc = new Acc();
    int e = 0;
    for (JsonNode entry : entries) {
      if (e++ >= MAX_ENTRIES) {
        acc.dropped += entries.size() - MAX_ENTRIES;
        break;
      }
      JsonNode changes = entry.get("changes");
      if (changes == null || !changes.isArray()) {
        acc.invalid++;
        continue;
      }
      int c = 0;
      for (JsonNode change : changes) {
        if (c++ >= MAX_CHANGES) {
          acc.dropped += changes.size() - MAX_CHANGES;
          break;
        }
        change(change, acc);
      }
    }
    return new ParsedWebhook(acc.statuses, acc.messages, acc.quality, acc.invalid, acc.dropped);
  }

  private static final class Acc {
    final List<StatusEvent> statuses = new ArrayList<>();
    final List<InboundMessage> messages = new ArrayList<>();
    final List<QualityUpdate> quality = new ArrayList<>();
    int invalid;
    int dropped;

    boolean full() {
      return statuses.size() + messages.size() + quality.size() >= MAX_ITEMS;
    }
  }

  private void change(JsonNode change, Acc acc) {
    JsonNode value = change.get("value");
    if (value == null || !value.isObject()) {
      acc.invalid++;
      return;
    }
    String field = text(change.get("field"), MAX_ID_CHARS);
    String phoneNumberId = text(value.path("metadata").get("phone_number_id"), MAX_NUMBER_CHARS);
    if ("phone_number_quality_update".equals(field)) {
      quality(value, phoneNumberId, acc);
      return;
    }
    if (field != null && !field.equals("messages")) {
      return; // account_update, template status, ...: not projected here
    }
    for (JsonNode s : items(value.get("statuses"), acc)) {
      status(s, phoneNumberId, acc);
    }
    for (JsonNode m : items(value.get("messages"), acc)) {
      message(m, phoneNumberId, acc);
    }
  }

  /** The array's elements that still fit under {@link #MAX_ITEMS}; the rest are counted. */
  private static List<JsonNode> items(JsonNode array, Acc acc) {
    List<JsonNode> out = new ArrayList<>();
    if (array == null || !array.isArray()) {
      return out;
    }
    int room = MAX_ITEMS - acc.statuses.size() - acc.messages.size() - acc.quality.size();
    for (JsonNode n : array) {
      if (out.size() >= room) {
        acc.dropped += array.size() - out.size();
        break;
      }
      out.add(n);
    }
    return out;
  }

  private static void status(JsonNode s, String phoneNumberId, Acc acc) {
    String id = text(s.get("id"), MAX_ID_CHARS);
    ProviderStatus status = ProviderStatus.fromWire(text(s.get("status"), MAX_CODE_CHARS));
    if (phoneNumberId == null || id == null || status == null) {
      acc.invalid++;
      return;
    }
    String code = null;
    String message = null;
    JsonNode errors = s.get("errors");
    if (errors != null && errors.isArray() && errors.size() > 0) {
      JsonNode first = errors.get(0);
      code = text(first.get("code"), MAX_CODE_CHARS);
      String title = text(first.get("title"), MAX_ERROR_CHARS);
      String detail = text(first.get("message"), MAX_ERROR_CHARS);
      if (detail == null) {
        detail = text(first.path("error_data").get("details"), MAX_ERROR_CHARS);
      }
      message = join(title, detail);
    }
    acc.statuses.add(
        new StatusEvent(phoneNumberId, id, status, instant(s.get("timestamp")), code, message));
  }

  private void message(JsonNode m, String phoneNumberId, Acc acc) {
    String from = text(m.get("from"), MAX_NUMBER_CHARS);
    if (phoneNumberId == null || from == null) {
      acc.invalid++;
      return;
    }
    boolean optOut = false;
    if ("text".equals(text(m.get("type"), MAX_CODE_CHARS))) {
      JsonNode body = m.path("text").get("body");
      // compared, never kept: an overlong text cannot be a keyword
      if (body != null
          && body.isTextual()
          && body.textValue().length() <= OptOutKeywords.MAX_TEXT_CHARS) {
        optOut = keywords.matches(body.textValue());
      }
    }
    acc.messages.add(new InboundMessage(phoneNumberId, from, instant(m.get("timestamp")), optOut));
  }

  private static void quality(JsonNode v, String phoneNumberId, Acc acc) {
    if (acc.full()) {
      acc.dropped++;
      return;
    }
    String id =
        phoneNumberId != null ? phoneNumberId : text(v.get("phone_number_id"), MAX_NUMBER_CHARS);
    String display = digits(text(v.get("display_phone_number"), MAX_NUMBER_CHARS));
    String event = word(text(v.get("event"), MAX_CODE_CHARS));
    String rating = word(text(v.get("quality_rating"), MAX_CODE_CHARS));
    if (rating == null) {
      rating = word(text(v.get("current_quality_rating"), MAX_CODE_CHARS));
    }
    ReportedLimit limit = ReportedLimit.parse(text(v.get("current_limit"), MAX_CODE_CHARS));
    if (limit == null) {
      limit =
          ReportedLimit.parse(text(v.get("max_daily_conversations_per_business"), MAX_CODE_CHARS));
    }
    if ((id == null && display == null) || (event == null && rating == null && limit == null)) {
      acc.invalid++;
      return;
    }
    acc.quality.add(new QualityUpdate(id, display, event, rating != null ? rating : event, limit));
  }

  /** A textual or numeric node as clipped text; null for absent, null, blank or other nodes. */
  static String text(JsonNode n, int max) {
    if (n == null || !(n.isTextual() || n.isNumber())) {
      return null;
    }
    String s = n.asText().strip();
    return s.isEmpty() ? null : ErrorTexts.clip(s, max);
  }

  /** Unix seconds (a string or a number) as an instant; null when absent or implausible. */
  static Instant instant(JsonNode n) {
    String s = text(n, 20);
    if (s == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(s);
      return seconds <= 0 || seconds >= MAX_EPOCH_SECONDS ? null : Instant.ofEpochSecond(seconds);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** An upper-case word of letters, digits and underscores; null otherwise. */
  private static String word(String s) {
    if (s == null) {
      return null;
    }
    String w = s.toUpperCase(Locale.ROOT);
    return w.matches("[A-Z0-9_]{1,32}") ? w : null;
  }

  private static String digits(String s) {
    if (s == null) {
      return null;
    }
    String d = s.replaceAll("[^0-9]", "");
    return d.isEmpty() ? null : d;
  }

  private static String join(String title, String detail) {
    if (title == null) {
      return detail;
    }
    if (detail == null || detail.equals(title)) {
      return title;
    }
    return ErrorTexts.clip(title + ": " + detail, MAX_ERROR_CHARS);
  }
}
