package io.herald.console.view;

import static io.herald.console.view.Html.esc;

import io.herald.console.read.Definitions;
import io.herald.console.read.Definitions.Detail;
import io.herald.console.read.Definitions.Occurrence;
import io.herald.console.read.Definitions.Row;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The definitions list and one definition's page. */
public final class DefinitionsView {

  private static final String[] OUTCOMES = {
    "sent", "failed", "skipped", "unknown", "expired", "pending"
  };

  private DefinitionsView() {}

  public static String list(Layout.Viewer viewer, Definitions.Filter filter, List<Row> rows) {
    StringBuilder sb =
        new StringBuilder("<form method=\"get\" action=\"/definitions\" id=\"filter\">");
    if (viewer.principal().operator()) {
      sb.append("<label>Tenant <input name=\"tenant\" size=\"36\" value=\"")
          .append(esc(filter.tenant()))
          .append("\"></label> ");
    }
    sb.append("<label>Kind <select name=\"kind\">");
    for (String k : new String[] {"", "recurring", "broadcast", "autopost"}) {
      option(sb, k, filter.kind());
    }
    sb.append("</select></label> <label>Status <input name=\"status\" size=\"12\" value=\"")
        .append(esc(filter.status()))
        .append("\"></label> <button type=\"submit\">Filter</button></form>");
    sb.append("<table id=\"definitions\"><tr><th>kind</th><th>name</th><th>status</th>")
        .append("<th>next due (UTC)</th><th class=\"n\">fired</th><th class=\"n\">recipients</th>");
    for (String o : OUTCOMES) {
      sb.append("<th class=\"n\">").append(o).append("</th>");
    }
    sb.append("</tr>");
    for (Row r : rows) {
      sb.append("<tr data-definition-id=\"")
          .append(esc(r.id()))
          .append("\"><td>")
          .append(esc(r.kind()))
          .append("</td><td><a href=\"/definitions/")
          .append(esc(r.id()))
          .append("\">")
          .append(esc(r.name() == null || r.name().isBlank() ? r.id() : r.name()))
          .append("</a></td><td>")
          .append(esc(r.status()))
          .append("</td><td>")
          .append(esc(Html.time(r.nextDue())))
          .append("</td><td class=\"n\">")
          .append(r.fired())
          .append("</td><td class=\"n\">")
          .append(r.recipients())
          .append("</td>");
      outcomes(sb, r.sent(), r.failed(), r.skipped(), r.unknown(), r.expired(), r.pending());
      sb.append("</tr>");
    }
    sb.append("</table>");
    if (rows.size() >= Definitions.LIST_LIMIT) {
      sb.append("<p class=\"note\">The first ")
          .append(Definitions.LIST_LIMIT)
          .append(" shown; filter to see others.</p>");
    }
    return Layout.page("Definitions", viewer, sb.toString());
  }

  public static String detail(Layout.Viewer viewer, Detail d) {
    Row r = d.row();
    StringBuilder sb = new StringBuilder("<table id=\"definition\">");
    field(sb, "kind", r.kind());
    field(sb, "id", r.id());
    if (viewer.principal().operator()) {
      field(sb, "tenant", r.tenant());
    }
    field(sb, "status", r.status());
    if (r.lastError() != null && !r.lastError().isBlank()) {
      // a validation error may quote a recipient
      field(sb, "last error", Masking.mask(r.lastError()));
    }
    field(sb, "next due (UTC)", Html.time(r.nextDue()));
    field(sb, "occurrences fired", r.fired());
    sb.append("</table><h2>Rule</h2><p id=\"rule\">")
        .append(esc(d.preview().rule()))
        .append("</p>");
    if (!d.preview().problems().isEmpty()) {
      sb.append("<ul class=\"error\" id=\"rule-problems\">");
      d.preview().problems().forEach(p -> sb.append("<li>").append(esc(p)).append("</li>"));
      sb.append("</ul>");
    }
    sb.append("<h2>Next occurrences</h2><ol id=\"next-occurrences\">");
    for (Instant i : d.preview().next()) {
      sb.append("<li>").append(esc(Html.time(i))).append("</li>");
    }
    sb.append("</ol>");
    if (d.preview().next().isEmpty()) {
      sb.append("<p class=\"note\">None: it has fired, ended or cannot be scheduled.</p>");
    }
    sb.append("<h2>Totals</h2><table id=\"totals\"><tr><th class=\"n\">recipients</th>");
    for (String o : OUTCOMES) {
      sb.append("<th class=\"n\">").append(o).append("</th>");
    }
    sb.append("<th class=\"n\">delivered</th><th class=\"n\">read</th></tr><tr><td class=\"n\">")
        .append(r.recipients())
        .append("</td>");
    outcomes(sb, r.sent(), r.failed(), r.skipped(), r.unknown(), r.expired(), r.pending());
    sb.append("<td class=\"n\">").append(r.delivered()).append("</td><td class=\"n\">");
    sb.append(r.read()).append("</td></tr></table>");
    sb.append("<h2>Skip reasons</h2>").append(reasons("skip-reasons", r.reasons()));
    sb.append("<h2>History</h2>");
    if (d.history().isEmpty()) {
      sb.append("<p id=\"history\">No occurrence yet.</p>");
    } else {
      history(sb, d.history());
      long more = d.occurrences() - d.history().size();
      if (more > 0) {
        sb.append("<p class=\"note\">").append(more).append(" older occurrences not shown.</p>");
      }
    }
    String title = r.name() == null || r.name().isBlank() ? r.id().toString() : r.name();
    return Layout.page(r.kind() + " " + title, viewer, sb.toString());
  }

  private static void history(StringBuilder sb, List<Occurrence> history) {
    sb.append("<table id=\"history\"><tr><th>occurrence (UTC)</th><th>fired</th>")
        .append("<th>completed</th><th>status</th><th class=\"n\">recipients</th>");
    for (String o : OUTCOMES) {
      sb.append("<th class=\"n\">").append(o).append("</th>");
    }
    sb.append("<th>skip reasons</th></tr>");
    for (Occurrence o : history) {
      sb.append("<tr data-occurrence=\"")
          .append(esc(o.occurrenceAt() == null ? "" : o.occurrenceAt().toString()))
          .append("\"><td>")
          .append(esc(Html.time(o.occurrenceAt())))
          .append("</td><td>")
          .append(esc(Html.time(o.firedAt())))
          .append("</td><td>")
          .append(esc(Html.time(o.completedAt())))
          .append("</td><td>")
          .append(esc(o.status()))
          .append("</td><td class=\"n\">")
          .append(o.recipients() == null ? "-" : o.recipients().toString())
          .append("</td>");
      outcomes(sb, o.sent(), o.failed(), o.skipped(), o.unknown(), o.expired(), o.pending());
      sb.append("<td>").append(reasons(null, o.reasons())).append("</td></tr>");
    }
    sb.append("</table>");
  }

  private static void outcomes(StringBuilder sb, long... counts) {
    for (int i = 0; i < OUTCOMES.length; i++) {
      sb.append("<td class=\"n\" data-outcome=\"")
          .append(OUTCOMES[i])
          .append("\">")
          .append(counts[i])
          .append("</td>");
    }
  }

  /** Each reason as {@code <span data-skip-reason="r">n</span>}; {@code -} for none. */
  static String reasons(String id, Map<String, Long> reasons) {
    StringBuilder sb = new StringBuilder("<ul class=\"reasons\"");
    if (id != null) {
      sb.append(" id=\"").append(id).append('"');
    }
    sb.append('>');
    reasons.forEach(
        (k, v) ->
            sb.append("<li>")
                .append(esc(k))
                .append(": <span data-skip-reason=\"")
                .append(esc(k))
                .append("\">")
                .append(v)
                .append("</span></li>"));
    if (reasons.isEmpty()) {
      sb.append("<li>-</li>");
    }
    return sb.append("</ul>").toString();
  }

  private static void field(StringBuilder sb, String name, Object value) {
    sb.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value));
    sb.append("</td></tr>");
  }

  private static void option(StringBuilder sb, String value, String selected) {
    sb.append("<option value=\"")
        .append(esc(value))
        .append('"')
        .append(value.equals(selected == null ? "" : selected) ? " selected" : "")
        .append('>')
        .append(value.isEmpty() ? "any" : esc(value))
        .append("</option>");
  }
}
