package io.herald.console.view;

import static io.herald.console.view.Html.esc;

import io.herald.console.action.Audit;
import io.herald.console.read.Overview.Numbers;
import java.util.List;

/** The overview: one number per {@code data-metric}, the footnote saying what each counts. */
public final class OverviewView {

  /**
   * @param consumerLag null when Kafka could not be asked ({@code lagError} says why)
   * @param deadLetters null likewise
   */
  public record Model(
      Numbers numbers,
      Long consumerLag,
      String lagError,
      Long deadLetters,
      boolean deadLettersCapped,
      String deadLettersError,
      List<Audit.Entry> audit) {}

  private OverviewView() {}

  public static String render(Layout.Viewer viewer, Model m) {
    Numbers n = m.numbers();
    StringBuilder sb = new StringBuilder();
    sb.append("<p class=\"note\">As of ")
        .append(esc(Html.time(n.now())))
        .append("; \"today\" is since ")
        .append(esc(Html.time(n.todayStart())))
        .append(" (00:00 UTC).")
        .append(viewer.principal().operator() ? "" : " Your tenant's rows only.")
        .append("</p><div class=\"metrics\">");
    metric(sb, "active-definitions", "Active definitions", n.activeDefinitions());
    metric(sb, "due-next-hour", "Due in the next hour", n.dueNextHour());
    metric(sb, "sent-today", "Sent today", n.sentToday());
    metric(sb, "failed-today", "Failed today", n.failedToday());
    metric(sb, "skipped-today", "Skipped today", n.skippedToday());
    metric(sb, "unknown-today", "Unknown today", n.unknownToday());
    metric(sb, "devices-paused", "Devices paused", n.devicesPaused());
    metric(sb, "avg-queue-time-ms", "Avg queue time (ms, due → sent)", n.avgQueueMillis());
    metric(sb, "avg-send-time-ms", "Avg send time (ms, claim → answer)", n.avgSendMillis());
    if (viewer.principal().operator()) {
      metric(sb, "consumer-lag", "Consumer lag (records)", m.consumerLag());
      metric(sb, "dead-letters-24h", "Dead letters, last 24 h", m.deadLetters());
    }
    sb.append("</div>");
    if (n.devicesOtherHeld() > 0) {
      sb.append("<p>Devices held for another reason (disconnected, invalid, …): ")
          .append(n.devicesOtherHeld())
          .append(" — see <a href=\"/devices\">Devices</a>.</p>");
    }
    if (m.lagError() != null) {
      sb.append("<p class=\"error\">Consumer lag unavailable: ").append(esc(m.lagError()));
      sb.append("</p>");
    }
    if (m.deadLettersError() != null) {
      sb.append("<p class=\"error\">Dead letters unavailable: ")
          .append(esc(m.deadLettersError()))
          .append("</p>");
    }
    if (m.deadLettersCapped()) {
      sb.append("<p class=\"note\">Dead letters: at least this many (counting stopped).</p>");
    }
    sb.append(FOOTNOTE);
    if (m.audit() != null) {
      sb.append("<h2>Latest console actions</h2>").append(AuditView.table(m.audit()));
    }
    return Layout.page("Overview", viewer, sb.toString());
  }

  private static void metric(StringBuilder sb, String key, String label, Long value) {
    sb.append("<div class=\"metric\"><b data-metric=\"")
        .append(key)
        .append("\">")
        .append(value == null ? "-" : Long.toString(value))
        .append("</b>")
        .append(esc(label))
        .append("</div>");
  }

  static final String FOOTNOTE =
      "<details open id=\"definitions-of-numbers\"><summary>What the numbers count</summary><ul>"
          + "<li><b>Active definitions</b>: recurring messages and auto-posts with status"
          + " <code>active</code>, plus broadcasts with status <code>scheduled</code> or"
          + " <code>processing</code> (not draft, completed, partially_failed, failed, cancelled;"
          + " finished, inactive and invalid recurring ones are not active).</li>"
          + "<li><b>Due in the next hour</b>: definitions whose next due instant"
          + " (<code>next_send_at</code>; a broadcast not started yet, draft or scheduled: its"
          + " <code>scheduled_at</code>) is from now to now + 1 h.</li>"
          + "<li><b>Sent / failed / skipped / unknown today</b>: deliveries with that status whose"
          + " <code>finished_at</code> is since 00:00 UTC.</li>"
          + "<li><b>Consumer lag</b>: end offset minus committed offset, summed over the"
          + " partitions of Herald's consumer groups.</li>"
          + "<li><b>Devices paused</b>: devices with status <code>paused</code>.</li>"
          + "<li><b>Dead letters, last 24 h</b>: records on the <code>*.dlq</code> topics with a"
          + " timestamp in the last 24 hours.</li>"
          + "<li><b>Avg queue time</b>: <code>finished_at − occurrence_at</code> of today's sent"
          + " deliveries; <b>avg send time</b>: <code>finished_at − claimed_at</code> of the"
          + " same; <code>-</code> when nothing was sent today.</li></ul></details>";
}
