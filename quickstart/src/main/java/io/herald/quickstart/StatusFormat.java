package io.herald.quickstart;

import io.herald.console.read.Definitions.Occurrence;
import io.herald.console.read.Definitions.Row;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How {@code herald status} prints a definition's accounting: pure formatting, no database. Every
 * text that comes from a row is cleaned to one bounded line; the rows it formats carry no phone
 * numbers and no message text (names of definitions only, abbreviated).
 */
final class StatusFormat {

  static final int NAME_WIDTH = 20;
  static final int DETAIL_NAME_WIDTH = 60;
  static final int REASONS_MAX = 120;
  static final int LAST_ERROR_MAX = 200;

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private static final String OVERVIEW =
      "%-9s %-36s %-" + NAME_WIDTH + "s %-16s %-20s %5s %10s %6s %9s %6s %6s %7s %7s %7s %7s  %s";
  private static final String HISTORY =
      "%-20s %-20s %-20s %10s %6s %9s %6s %6s %7s %7s %7s %-16s  %s";

  private StatusFormat() {}

  static String overviewHeader() {
    return String.format(
        OVERVIEW,
        "kind",
        "id",
        "name",
        "status",
        "next due (UTC)",
        "fired",
        "recipients",
        "sent",
        "delivered",
        "read",
        "failed",
        "unknown",
        "expired",
        "skipped",
        "pending",
        "skip reasons");
  }

  static String overviewLine(Row t) {
    return String.format(
            OVERVIEW,
            t.kind(),
            t.id(),
            clean(t.name(), NAME_WIDTH),
            clean(t.status(), 16),
            time(t.nextDue()),
            t.fired(),
            t.recipients(),
            t.sent(),
            t.delivered(),
            t.read(),
            t.failed(),
            t.unknown(),
            t.expired(),
            t.skipped(),
            t.pending(),
            reasons(t.reasons()))
        .stripTrailing();
  }

  /** Sends deferred by the messaging limit, with when the next slot frees (ADR 0021). */
  static String deferred(long count, Instant nextSlot) {
    return "  deferred    "
        + count
        + " by the number's messaging limit (unique recipients outside their window per 24 h);"
        + " the next slot frees at "
        + time(nextSlot);
  }

  /**
   * {@code herald status --id}: the definition, its totals, then its occurrences newest first.
   * {@code history} holds at most the newest occurrences; {@code occurrences} counts them all.
   */
  static List<String> detail(Row t, List<Occurrence> history, long occurrences) {
    List<String> lines = new ArrayList<>();
    lines.add(t.kind() + " " + t.id() + "  " + clean(t.name(), DETAIL_NAME_WIDTH));
    lines.add("  status      " + clean(t.status(), 40));
    if (t.lastError() != null && !t.lastError().isBlank()) {
      lines.add("  last error  " + clean(t.lastError(), LAST_ERROR_MAX));
    }
    lines.add("  next due    " + time(t.nextDue()));
    lines.add("  fired       " + t.fired());
    lines.add(
        "  totals      recipients="
            + t.recipients()
            + " sent="
            + t.sent()
            + " delivered="
            + t.delivered()
            + " read="
            + t.read()
            + " failed="
            + t.failed()
            + " unknown="
            + t.unknown()
            + " expired="
            + t.expired()
            + " skipped="
            + t.skipped()
            + " pending="
            + t.pending());
    lines.add("  skipped by  " + reasons(t.reasons()));
    lines.add("");
    if (history.isEmpty()) {
      lines.add("no occurrence yet");
      return lines;
    }
    lines.add("occurrences, newest first:");
    lines.add(historyHeader());
    history.forEach(o -> lines.add(historyLine(o)));
    long more = occurrences - history.size();
    if (more > 0) {
      lines.add("… " + more + " older occurrence" + (more == 1 ? "" : "s") + " not shown");
    }
    return lines;
  }

  static String historyHeader() {
    return String.format(
        HISTORY,
        "occurrence (UTC)",
        "fired at (UTC)",
        "completed at (UTC)",
        "recipients",
        "sent",
        "delivered",
        "read",
        "failed",
        "unknown",
        "expired",
        "skipped",
        "status",
        "skip reasons");
  }

  static String historyLine(Occurrence o) {
    return String.format(
            HISTORY,
            time(o.occurrenceAt()),
            time(o.firedAt()),
            time(o.completedAt()),
            o.recipients() == null ? "-" : o.recipients().toString(),
            o.sent(),
            o.delivered(),
            o.read(),
            o.failed(),
            o.unknown(),
            o.expired(),
            o.skipped(),
            clean(o.status(), 16),
            reasons(o.reasons()))
        .stripTrailing();
  }

  /**
   * Skip reasons ({@code "opted_out=5 not_tenant_contact=10"}, in the map's order: most frequent
   * first as {@link io.herald.console.read.Definitions} reads them) within {@link #REASONS_MAX}
   * characters: whole entries only, the rest counted as {@code +N more}.
   */
  static String reasons(Map<String, Long> reasons) {
    if (reasons == null || reasons.isEmpty()) {
      return "-";
    }
    // as the statement aggregates them, so the bound below treats every entry alike
    String raw =
        reasons.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
    String[] entries = oneLine(raw).trim().split(" +");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      int left = entries.length - i - 1;
      // room for this entry and, if others follow, for the " +N more" that may end the list
      int reserve = left == 0 ? 0 : (" +" + left + " more").length();
      int needed = (sb.length() == 0 ? 0 : 1) + entry.length();
      if (sb.length() + needed + reserve > REASONS_MAX) {
        String tail = "+" + (entries.length - i) + " more";
        if (sb.length() == 0) {
          return tail;
        }
        return sb.append(' ').append(tail).toString();
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(entry);
    }
    return sb.toString();
  }

  /** One line of at most {@code max} characters ({@code …} marks a cut); {@code -} for none. */
  static String clean(String s, int max) {
    if (s == null || s.isBlank()) {
      return "-";
    }
    String line = oneLine(s).strip();
    if (line.codePointCount(0, line.length()) <= max) {
      return line;
    }
    return line.substring(0, line.offsetByCodePoints(0, max - 1)) + "…";
  }

  /** An instant to the second, in UTC, as one token; {@code -} for none. */
  static String time(Instant i) {
    return i == null ? "-" : UTC.format(i);
  }

  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
    return sb.toString();
  }
}
