package io.herald.bench.report;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Renders a {@link Report} as Markdown: a header block, then one table per scenario. */
public final class MarkdownWriter {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private MarkdownWriter() {}

  public static String render(Report report) {
    StringBuilder md = new StringBuilder();
    md.append("### Results — ")
        .append(report.mode())
        .append(" run, ")
        .append(DATE.format(report.startedAt()))
        .append(" (")
        .append(seconds(report.elapsedMillis()))
        .append(")\n\n");
    md.append("| machine | |\n|---|---|\n");
    report.machine().forEach((k, v) -> row(md, k, v));
    md.append("\n| versions | |\n|---|---|\n");
    report.versions().forEach((k, v) -> row(md, k, v));
    if (!report.settings().isEmpty()) {
      md.append("\n| run settings | |\n|---|---|\n");
      report.settings().forEach((k, v) -> row(md, k, v));
    }
    for (ScenarioResult s : report.scenarios()) {
      md.append("\n#### ")
          .append(s.title())
          .append(" (`")
          .append(s.id())
          .append("`, ")
          .append(seconds(s.elapsedMillis()))
          .append(")\n\n");
      if (!s.settings().isEmpty()) {
        md.append("Settings: ");
        boolean first = true;
        for (Map.Entry<String, Object> e : s.settings().entrySet()) {
          md.append(first ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
          first = false;
        }
        md.append("\n\n");
      }
      table(md, s.rows());
      for (String note : s.notes()) {
        md.append("- ").append(note).append('\n');
      }
    }
    return md.toString();
  }

  private static void table(StringBuilder md, List<ResultRow> rows) {
    if (rows.isEmpty()) {
      md.append("_no rows_\n\n");
      return;
    }
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(r -> columns.addAll(r.metrics().keySet()));
    boolean notes = rows.stream().anyMatch(r -> !r.note().isEmpty());
    md.append("| variant | system |");
    columns.forEach(c -> md.append(' ').append(c).append(" |"));
    md.append(notes ? " note |\n" : "\n");
    md.append("|---|---|");
    columns.forEach(c -> md.append("---:|"));
    md.append(notes ? "---|\n" : "\n");
    for (ResultRow r : rows) {
      md.append("| ").append(r.variant()).append(" | ").append(r.system()).append(" |");
      for (String c : columns) {
        Object v = r.metrics().get(c);
        md.append(' ').append(v == null ? "—" : format(v)).append(" |");
      }
      md.append(notes ? " " + r.note().replace("|", "\\|") + " |\n" : "\n");
    }
    md.append('\n');
  }

  /** Human formatting; the JSON keeps the raw numbers. */
  static String format(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return "—";
      }
      double abs = Math.abs(d);
      if (abs >= 100) {
        return String.format(Locale.ROOT, "%,.0f", d);
      }
      if (abs >= 10) {
        return String.format(Locale.ROOT, "%.1f", d);
      }
      if (abs >= 0.1 || d == 0) {
        return String.format(Locale.ROOT, "%.2f", d);
      }
      return String.format(Locale.ROOT, "%.3g", d);
    }
    return String.valueOf(value).replace("|", "\\|");
  }

  private static void row(StringBuilder md, String key, Object value) {
    md.append("| ").append(key).append(" | ").append(format(value)).append(" |\n");
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / (double) TimeUnit.SECONDS.toMillis(1));
  }
}
