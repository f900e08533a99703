package io.herald.scheduler.cli;

import io.herald.contracts.event.MessageTemplate;
import io.herald.scheduler.schedule.Recipients;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text of {@code preview --dry-run}: one labelled line per fact, then the first N sends and
 * skips. Pure and stable (no locale, no clock): tests and scripts compare it line by line. Phone
 * numbers show their last four digits only; group ids and contact ids are shown as they are.
 */
final class DryRunReport {

  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm xxx", Locale.ROOT);

  /**
   * Everything the report shows.
   *
   * @param device null when no such device exists
   * @param limit the messaging limit, null when none applies
   * @param estimate null when the device would not send (missing or not active)
   */
  record Input(
      String table,
      String id,
      boolean definitionActive,
      Instant occurrence,
      ZoneId zone,
      String deviceId,
      JdbcDryRunReader.DeviceRow device,
      List<DryRunPlanner.Line> lines,
      int limitLines,
      Integer limit,
      long limitUsed,
      Map<String, Long> backlog,
      CompletionEstimator.Estimate estimate) {}

  private DryRunReport() {}

  static List<String> lines(Input in) {
    List<String> out = new ArrayList<>();
    out.add(
        "Dry run:    " + in.table() + " " + in.id() + " (read only: nothing is written or sent)");
    if (!in.definitionActive()) {
      out.add("Status:     inactive: this occurrence fires only once the definition is active");
    }
    out.add(
        "Occurrence: "
            + in.occurrence()
            + "  "
            + LOCAL.format(in.occurrence().atZone(in.zone()))
            + " ("
            + in.zone().getId()
            + ")");
    out.add("Device:     " + device(in));
    List<DryRunPlanner.Line> sends = new ArrayList<>();
    List<DryRunPlanner.Line> skips = new ArrayList<>();
    for (DryRunPlanner.Line l : in.lines()) {
      (l.skipReason() == null ? sends : skips).add(l);
    }
    long deferred = sends.stream().filter(DryRunPlanner.Line::deferred).count();
    out.add(
        "Recipients: "
            + in.lines().size()
            + " listed: "
            + sends.size()
            + " to send, "
            + skips.size()
            + " skipped");
    if (!skips.isEmpty()) {
      out.add("Skipped:    " + byReason(skips));
    }
    if (in.limit() != null) {
      out.add(
          "Messaging limit: "
              + in.limit()
              + " unique recipients outside their window per 24 h, "
              + in.limitUsed()
              + " used: "
              + deferred
              + " of these sends would be deferred by it now");
    }
    if (!sends.isEmpty()) {
      out.add(
          "Sends (first " + Math.min(in.limitLines(), sends.size()) + " of " + sends.size() + "):");
      for (int i = 0; i < Math.min(in.limitLines(), sends.size()); i++) {
        out.add(
            String.format(
                Locale.ROOT, "%4d  %s  %s", i + 1, who(sends.get(i)), what(sends.get(i))));
      }
    }
    if (!skips.isEmpty()) {
      out.add(
          "Skipped (first "
              + Math.min(in.limitLines(), skips.size())
              + " of "
              + skips.size()
              + "):");
      for (int i = 0; i < Math.min(in.limitLines(), skips.size()); i++) {
        DryRunPlanner.Line l = skips.get(i);
        out.add(String.format(Locale.ROOT, "%4d  %s  %s", i + 1, who(l), l.skipReason()));
      }
    }
    CompletionEstimator.Estimate e = in.estimate();
    if (e == null) {
      out.add("Completion: not estimated: the device would not send (see Device)");
      return out;
    }
    long sending = sends.size() - deferred;
    long backlog = in.backlog().values().stream().mapToLong(Long::longValue).sum();
    out.add(
        "Completion: starts about "
            + e.start()
            + ", ends about "
            + e.end()
            + " ("
            + sending
            + " sends, "
            + CompletionEstimator.seconds(e.perSend().toMillis())
            + " each, "
            + e.pauses()
            + " batch pauses; backlog "
            + backlog
            + ": "
            + in.backlog().entrySet().stream()
                .map(b -> b.getValue() + " " + b.getKey())
                .collect(Collectors.joining(", "))
            + ")");
    out.add("Assumes:    " + e.assumptions());
    return out;
  }

  private static String device(Input in) {
    JdbcDryRunReader.DeviceRow d = in.device();
    if (d == null) {
      return in.deviceId()
          + " not found: the scheduler holds the definition until the device exists";
    }
    StringBuilder s =
        new StringBuilder(d.id()).append(' ').append(d.transport()).append(", status ");
    s.append(d.status());
    if (d.pausedReason() != null && !d.pausedReason().isBlank()) {
      s.append(" (").append(oneLine(d.pausedReason())).append(')');
    }
    if (!active(d)) {
      s.append(": not active, the sends would be held until it is active again");
    }
    return s.toString();
  }

  /** As the sender reads a device's status: null or "active" sends, anything else holds. */
  static boolean active(JdbcDryRunReader.DeviceRow d) {
    return d != null && (d.status() == null || "active".equalsIgnoreCase(d.status().trim()));
  }

  /** {@code opted_out=2 invalid_recipient=1}: most frequent first, then by name. */
  static String byReason(List<DryRunPlanner.Line> skips) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (DryRunPlanner.Line l : skips) {
      counts.merge(l.skipReason(), 1L, Long::sum);
    }
    return counts.entrySet().stream()
        .sorted(
            Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .map(c -> c.getKey() + "=" + c.getValue())
        .collect(Collectors.joining(" "));
  }

  /** The recipient: a masked number (and its contact id), a contact id, or a group id. */
  static String who(DryRunPlanner.Line l) {
    String s = l.address() != null ? l.address() : l.identity();
    if (Recipients.isDuplicateMark(s)) {
      s = Recipients.duplicated(s);
    }
    if (s.startsWith("+")) {
      return mask(s) + (l.contactId() == null ? "" : "  contact " + l.contactId());
    }
    return (Recipients.isContactId(s) ? "contact " : "group ") + s;
  }

  /** {@code +*******4567}: every digit but the last four hidden. */
  static String mask(String phone) {
    int keep = Math.min(4, phone.length() - 1);
    return "+" + "*".repeat(phone.length() - 1 - keep) + phone.substring(phone.length() - keep);
  }

  private static String what(DryRunPlanner.Line l) {
    String deferred =
        (l.deferred() ? "  [deferred by the messaging limit]" : "")
            + (l.quietUntil() == null
                ? ""
                : "  [quiet hours in "
                    + l.recipientZone()
                    + ": deferred to "
                    + l.quietUntil()
                    + "]");
    if (l.choice() == DryRunPlanner.Choice.TEMPLATE) {
      return "template "
          + template(l.template())
          + (l.insideWindow() ? "" : "  (outside the window)")
          + deferred;
    }
    return "text " + quote(l.text()) + deferred;
  }

  /** {@code promo/en_US header[image https://x] body["Ann", "10%"] button(url,0)["a"]}. */
  static String template(MessageTemplate t) {
    StringBuilder s = new StringBuilder(t.name()).append('/').append(t.language());
    for (MessageTemplate.Component c : t.components()) {
      s.append(' ').append(c.type());
      if (c.subType() != null || c.index() != null) {
        s.append('(').append(c.subType()).append(',').append(c.index()).append(')');
      }
      s.append('[');
      for (int i = 0; i < c.parameters().size(); i++) {
        MessageTemplate.Parameter p = c.parameters().get(i);
        s.append(i == 0 ? "" : ", ");
        s.append(p.text() != null ? quote(p.text()) : p.type() + " " + p.link());
      }
      s.append(']');
    }
    return s.toString();
  }

  /** The text in double quotes, with quotes, backslashes and control characters escaped. */
  static String quote(String text) {
    StringBuilder s = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '"':
          s.append("\\\"");
          break;
        case '\\':
          s.append("\\\\");
          break;
        case '\n':
          s.append("\\n");
          break;
        case '\r':
          s.append("\\r");
          break;
        case '\t':
          s.append("\\t");
          break;
        default:
          if (Character.isISOControl(ch)) {
            s.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            s.append(ch);
          }
      }
    }
    return s.append('"').toString();
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
