package io.herald.console.view;

import static io.herald.console.view.Html.esc;

import io.herald.console.action.Replay;
import io.herald.console.read.DeadLetterReader;
import io.herald.console.read.DeadLetterReader.Letter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The dead-letter list and one dead letter with its replay form. */
public final class DeadLettersView {

  private DeadLettersView() {}

  public static String list(Layout.Viewer viewer, List<Letter> letters) {
    StringBuilder sb = new StringBuilder();
    sb.append("<p class=\"note\">The newest ")
        .append(DeadLetterReader.LIST_LIMIT)
        .append(" records across every <code>*.dlq</code> topic, newest first.</p>");
    sb.append("<table id=\"dead-letters\"><tr><th>time (UTC)</th><th>dead-letter topic</th>")
        .append("<th>partition/offset</th><th>original topic</th><th>reason</th></tr>");
    for (Letter l : letters) {
      sb.append("<tr data-dead-letter=\"")
          .append(esc(l.id()))
          .append("\"><td>")
          .append(esc(Html.time(l.timestamp())))
          .append("</td><td>")
          .append(esc(l.dlqTopic()))
          .append("</td><td><a href=\"/dead-letters/")
          .append(esc(l.id()))
          .append("\">")
          .append(l.partition())
          .append('/')
          .append(l.offset())
          .append("</a></td><td>")
          .append(esc(l.originalTopic().orElse("-")))
          .append("</td><td>")
          .append(esc(Masking.mask(l.reason())))
          .append("</td></tr>");
    }
    sb.append("</table>");
    if (letters.isEmpty()) {
      sb.append("<p>No dead letters.</p>");
    }
    return Layout.page("Dead letters", viewer, sb.toString());
  }

  /**
   * @param replayed when and by whom it was replayed, if it was
   * @param error a refusal or failure of a replay just asked for
   */
  public static String detail(
      Layout.Viewer viewer, Letter l, Optional<Replay.AlreadyReplayed> replayed, String error) {
    StringBuilder sb = new StringBuilder();
    if (error != null) {
      sb.append("<p class=\"error\" id=\"replay-error\">").append(esc(error)).append("</p>");
    }
    sb.append("<table id=\"dead-letter\">");
    row(sb, "dead-letter topic", l.dlqTopic());
    row(sb, "partition / offset", l.partition() + " / " + l.offset());
    row(sb, "time (UTC)", Html.time(l.timestamp()));
    row(sb, "original topic", l.originalTopic().orElse("-"));
    sb.append("<tr><th>reason</th><td id=\"reason\">")
        .append(esc(Masking.mask(l.reason())))
        .append("</td></tr>");
    row(sb, "key", l.key() == null ? "(null)" : Html.payload(l.key()));
    row(sb, "size", l.value() == null ? "-" : l.value().length + " bytes");
    sb.append("</table><h2>Headers</h2><table id=\"headers\">");
    for (Map.Entry<String, byte[]> h : l.headers()) {
      row(sb, h.getKey(), Html.payload(h.getValue()));
    }
    sb.append("</table><h2>Payload</h2><pre id=\"payload\">")
        .append(esc(Html.payload(l.value())))
        .append("</pre><h2>Replay</h2>");
    Optional<String> refusal = Replay.refusal(l);
    if (replayed.isPresent()) {
      sb.append("<p id=\"replayed\">Replayed at ")
          .append(esc(Html.time(replayed.get().at())))
          .append(" by ")
          .append(esc(replayed.get().principal()))
          .append(" — already replayed; it is not sent again.</p>");
    } else if (refusal.isPresent()) {
      sb.append("<p class=\"error\" id=\"not-replayable\">").append(esc(refusal.get()));
      sb.append("</p>");
    } else {
      sb.append("<p>Sends the original bytes and headers (without <code>herald.dlq.*</code>) to ")
          .append("<b>")
          .append(esc(l.originalTopic().orElse("")))
          .append(
              "</b> once, when the cause is fixed.</p><form method=\"post\" action=\"/dead-letters/")
          .append(esc(l.id()))
          .append("/replay\" id=\"replay\">")
          .append(Layout.csrfField(viewer))
          .append("<button type=\"submit\">Replay</button></form>");
    }
    return Layout.page("Dead letter " + l.id(), viewer, sb.toString());
  }

  private static void row(StringBuilder sb, String name, String value) {
    sb.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value));
    sb.append("</td></tr>");
  }
}
