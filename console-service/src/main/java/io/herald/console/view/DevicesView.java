package io.herald.console.view;

import static io.herald.console.view.Html.esc;

import io.herald.console.action.DeviceResume;
import io.herald.console.read.Devices;
import io.herald.console.read.Devices.Device;
import java.util.List;

/** The devices table and the resume confirmation. */
public final class DevicesView {

  private DevicesView() {}

  public static String list(Layout.Viewer viewer, List<Device> devices) {
    StringBuilder sb =
        new StringBuilder(
            "<table id=\"devices\"><tr><th>name</th><th>id</th><th>transport</th><th>status</th>"
                + "<th>pause reason</th><th>pacing</th><th class=\"n\">backlog</th>"
                + "<th>last send (UTC)</th><th></th></tr>");
    for (Device d : devices) {
      sb.append("<tr data-device-id=\"")
          .append(esc(d.id()))
          .append("\"><td>")
          .append(esc(d.name() == null ? "-" : d.name()))
          .append("</td><td>")
          .append(esc(d.id()))
          .append("</td><td>")
          .append(esc(d.transport()))
          .append("</td><td data-field=\"status\">")
          .append(esc(d.status()))
          .append("</td><td data-field=\"pause-reason\">")
          .append(esc(d.pauseReason() == null ? "-" : Masking.mask(d.pauseReason())))
          .append("</td><td data-field=\"pacing\">")
          .append(
              esc(
                  d.maxPerSecond() == null
                      ? "transport default"
                      : d.maxPerSecond().stripTrailingZeros().toPlainString() + "/s"))
          .append("</td><td class=\"n\" data-field=\"backlog\" title=\"")
          .append(d.parked())
          .append(" parked, ")
          .append(d.inFlight())
          .append(" in flight, ")
          .append(d.deferred())
          .append(" deferred\">")
          .append(d.backlog())
          .append("</td><td data-field=\"last-send\">")
          .append(esc(Html.time(d.lastSend())))
          .append("</td><td>");
      if (d.resumable()) {
        sb.append("<a class=\"resume\" href=\"/devices/")
            .append(esc(d.id()))
            .append("/resume\">Resume…</a>");
      }
      sb.append("</td></tr>");
    }
    sb.append("</table><p class=\"note\">Backlog: commands parked for the device, plus sends in")
        .append(" flight and sends deferred by the messaging limit or quiet hours.");
    if (devices.size() >= Devices.LIST_LIMIT) {
      sb.append(" The first ").append(Devices.LIST_LIMIT).append(" devices shown.");
    }
    sb.append("</p>");
    return Layout.page("Devices", viewer, sb.toString());
  }

  /** The confirmation the CLI's usage states too; {@code error} when a POST was refused. */
  public static String confirm(Layout.Viewer viewer, Device d, String error) {
    StringBuilder sb = new StringBuilder();
    if (error != null) {
      sb.append("<p class=\"error\" id=\"resume-error\">").append(esc(error)).append("</p>");
    }
    sb.append("<p>Device <b>")
        .append(esc(d.name() == null ? "-" : d.name()))
        .append("</b> (")
        .append(esc(d.id()))
        .append(") is <b>")
        .append(esc(d.status()))
        .append("</b>")
        .append(d.pauseReason() == null ? "" : ": " + esc(Masking.mask(d.pauseReason())))
        .append(". Backlog held: ")
        .append(d.backlog())
        .append(".</p><p id=\"warning\">")
        .append(esc(DeviceResume.WARNING))
        .append("</p><form method=\"post\" action=\"/devices/")
        .append(esc(d.id()))
        .append("/resume\" id=\"resume-confirm\">")
        .append(Layout.csrfField(viewer))
        .append("<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required>")
        .append(" I have checked the account's standing</label> ")
        .append("<button type=\"submit\">Resume device</button></form>")
        .append("<p><a href=\"/devices\">Back to devices</a></p>");
    return Layout.page("Resume device", viewer, sb.toString());
  }
}
