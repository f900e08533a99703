package io.herald.console.view;

import static io.herald.console.view.Html.esc;

import io.herald.console.action.Audit;
import java.util.List;

/** The latest console actions (operators only). */
public final class AuditView {

  private AuditView() {}

  public static String render(Layout.Viewer viewer, List<Audit.Entry> entries) {
    return Layout.page("Audit", viewer, table(entries));
  }

  static String table(List<Audit.Entry> entries) {
    if (entries.isEmpty()) {
      return "<p id=\"audit\">No console action yet.</p>";
    }
    StringBuilder sb =
        new StringBuilder(
            "<table id=\"audit\"><tr><th>at (UTC)</th><th>who</th><th>action</th><th>target</th>"
                + "<th>detail</th></tr>");
    for (Audit.Entry e : entries) {
      sb.append("<tr data-audit=\"")
          .append(e.id())
          .append("\"><td>")
          .append(esc(Html.time(e.at())))
          .append("</td><td>")
          .append(esc(e.principal()))
          .append("</td><td>")
          .append(esc(e.action()))
          .append("</td><td>")
          .append(esc(e.target()))
          .append("</td><td>")
          .append(esc(e.detail()))
          .append("</td></tr>");
    }
    return sb.append("</table>").toString();
  }
}
