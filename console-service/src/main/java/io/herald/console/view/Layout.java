package io.herald.console.view;

import static io.herald.console.view.Html.esc;

import io.herald.console.auth.Principal;

/** The frame of every page: one small inline style sheet, the navigation, the flash message. */
public final class Layout {

  /** Who is signed in, their CSRF token for forms, and a flash message (may be null). */
  public record Viewer(Principal principal, String csrf, String flash) {}

  private static final String STYLE =
      "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f23}"
          + "header{background:#24292f;color:#fff;padding:.5em 1em}"
          + "header a{color:#fff;margin-right:1em}header .who{float:right}"
          + "main{padding:1em}table{border-collapse:collapse;margin:.5em 0}"
          + "th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}"
          + "th{background:#f6f8fa}td.n,th.n{text-align:right}"
          + ".metrics{display:flex;flex-wrap:wrap;gap:.75em}"
          + ".metric{border:1px solid #d0d7de;border-radius:6px;padding:.5em 1em;min-width:10em}"
          + ".metric b{display:block;font-size:1.6em}"
          + ".flash{background:#dafbe1;padding:.5em 1em;margin:0}"
          + ".error{background:#ffebe9;padding:.5em 1em}"
          + "pre{background:#f6f8fa;padding:.5em;white-space:pre-wrap;word-break:break-all}"
          + "form.inline{display:inline}.note{color:#57606a;font-size:.9em}";

  private Layout() {}

  public static String page(String title, Viewer viewer, String body) {
    StringBuilder sb = new StringBuilder(body.length() + 2048);
    sb.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Herald console — ")
        .append(esc(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>");
    if (viewer != null) {
      Principal p = viewer.principal();
      sb.append("<header><nav><a href=\"/\">Overview</a><a href=\"/definitions\">Definitions</a>")
          .append("<a href=\"/devices\">Devices</a>");
      if (p.operator()) {
        sb.append("<a href=\"/dead-letters\">Dead letters</a><a href=\"/audit\">Audit</a>");
      }
      sb.append("<span class=\"who\">")
          .append(esc(p.name()))
          .append(p.operator() ? " (operator)" : " (tenant " + esc(p.tenant()) + ")")
          .append(" <form class=\"inline\" method=\"post\" action=\"/logout\">")
          .append(csrfField(viewer))
          .append("<button type=\"submit\">Sign out</button></form></span></nav></header>");
      if (viewer.flash() != null) {
        sb.append("<p class=\"flash\" id=\"flash\">").append(esc(viewer.flash())).append("</p>");
      }
    }
    sb.append("<main><h1>").append(esc(title)).append("</h1>").append(body);
    sb.append("</main></body></html>");
    return sb.toString();
  }

  public static String csrfField(Viewer viewer) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(viewer.csrf()) + "\">";
  }

  /** A page with one message, for 403, 404 and errors. */
  public static String message(String title, Viewer viewer, String message) {
    return page(title, viewer, "<p class=\"error\">" + esc(message) + "</p>");
  }

  public static String login(String error) {
    String body =
        (error == null ? "" : "<p class=\"error\" id=\"login-error\">" + esc(error) + "</p>")
            + "<form method=\"post\" action=\"/login\" id=\"login\">"
            + "<label>Token <input type=\"password\" name=\"token\" autocomplete=\"off\" required"
            + " autofocus></label> <button type=\"submit\">Sign in</button></form>"
            + "<p class=\"note\">The token is a line of the console's tokens file"
            + " (HERALD_CONSOLE_TOKENS_FILE); the quick start writes one to"
            + " &lt;data-dir&gt;/console-tokens.</p>";
    return page("Sign in", null, body);
  }
}
