package io.herald.console.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import io.herald.console.auth.Principal;
import io.herald.console.auth.Sessions;
import io.herald.console.auth.Sessions.Session;
import io.herald.console.auth.TokensFile;
import io.herald.console.view.Layout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request passes here: security headers, {@code /health}, sign-in and sign-out, who is asking
 * (session cookie, bearer token or client certificate), the CSRF check of every POST, then {@link
 * Pages}. Nothing is served to a stranger but the sign-in page and {@code /health}.
 */
final class ConsoleHandler implements HttpHandler {

  static final String COOKIE = "herald_console";
  static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self';"
          + " frame-ancestors 'none'";

  private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);

  private final TokensFile tokens;
  private final Sessions sessions;
  private final Pages pages;
  private final boolean https;

  ConsoleHandler(TokensFile tokens, Sessions sessions, Pages pages, boolean https) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.pages = pages;
    this.https = https;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Response response;
      try {
        response = route(new Request(ex));
      } catch (Request.TooLarge e) {
        response = Response.text(413, "request body too large");
      } catch (Exception e) {
        // the page says what failed; the log has the stack (no payloads in either)
        log.warn(
            "Console request failed: {} {}",
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            e);
        response =
            Response.page(
                500,
                Layout.message("Error", null, "The console could not answer: " + e.getMessage()));
      }
      send(ex, response);
    }
  }

  private Response route(Request r) throws Exception {
    String path = r.path;
    if (path.equals("/health")) {
      return Response.text(200, "ok");
    }
    if (path.equals("/login")) {
      return login(r);
    }
    Optional<Session> session = r.cookie(COOKIE).flatMap(sessions::find);
    Principal principal = session.map(Session::principal).orElse(null);
    if (principal == null && https) {
      Optional<Principal> cert = certificatePrincipal(r.exchange);
      if (cert.isPresent()) {
        // a browser sends its certificate on every request, like a cookie: give it a session
        // so its forms carry a CSRF token too
        Session s = sessions.open(cert.get());
        setCookie(r.exchange, s.id());
        session = Optional.of(s);
        principal = s.principal();
      }
    }
    if (principal == null) {
      principal = r.bearer().flatMap(tokens::byToken).orElse(null);
    }
    if (principal == null) {
      return Response.redirect("/login");
    }
    if (r.method.equals("POST") && session.isPresent()) {
      // a bearer token is never sent by a browser on its own: only sessions need the CSRF token
      String given = r.form().get("csrf");
      if (given == null
          || !MessageDigest.isEqual(
              given.getBytes(StandardCharsets.UTF_8),
              session.get().csrf().getBytes(StandardCharsets.UTF_8))) {
        return Response.page(
            403,
            Layout.message(
                "Forbidden",
                null,
                "This form has expired or was not sent from the console; reload the page and try again."));
      }
    }
    if (path.equals("/logout")) {
      if (!r.method.equals("POST")) {
        return Response.text(405, "POST only");
      }
      session.ifPresent(s -> sessions.close(s.id()));
      r.exchange.getResponseHeaders().add("Set-Cookie", cookie("", 0));
      return Response.redirect("/login");
    }
    String csrf = session.map(Session::csrf).orElse("");
    String flash = r.method.equals("GET") ? session.flatMap(Session::takeFlash).orElse(null) : null;
    return pages.handle(r, new Layout.Viewer(principal, csrf, flash), session.orElse(null));
  }

  private Response login(Request r) throws IOException {
    if (r.method.equals("GET")) {
      return Response.ok(Layout.login(null));
    }
    if (!r.method.equals("POST")) {
      return Response.text(405, "GET or POST");
    }
    Optional<Principal> who = tokens.byToken(r.form().get("token"));
    if (who.isEmpty()) {
      log.info("Console sign-in refused from {}", r.exchange.getRemoteAddress().getAddress());
      return Response.page(401, Layout.login("That token is not valid."));
    }
    Session s = sessions.open(who.get());
    setCookie(r.exchange, s.id());
    log.info("Console sign-in: {}", who.get().name());
    return Response.redirect("/");
  }

  private void setCookie(HttpExchange ex, String value) {
    ex.getResponseHeaders().add("Set-Cookie", cookie(value, Sessions.IDLE.toSeconds()));
  }

  private String cookie(String value, long maxAge) {
    return COOKIE
        + "="
        + value
        + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
        + maxAge
        + (https ? "; Secure" : "");
  }

  /** The tokens file's principal for the client certificate's subject CN, if any. */
  private Optional<Principal> certificatePrincipal(HttpExchange ex) {
    if (!(ex instanceof HttpsExchange hx)) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = hx.getSSLSession().getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
        return Optional.empty();
      }
      return commonName(cert.getSubjectX500Principal().getName()).flatMap(tokens::byCertificate);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  static Optional<String> commonName(String subject) {
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Content-Security-Policy", CSP);
    h.set("X-Frame-Options", "DENY");
    if (r.location() != null) {
      h.set("Location", r.location());
      ex.sendResponseHeaders(r.status(), -1);
      return;
    }
    byte[] body;
    if (r.html() != null) {
      h.set("Content-Type", "text/html; charset=utf-8");
      body = r.html().getBytes(StandardCharsets.UTF_8);
    } else {
      h.set("Content-Type", "text/plain; charset=utf-8");
      body = (r.text() == null ? "" : r.text()).getBytes(StandardCharsets.UTF_8);
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(r.status(), -1);
      return;
    }
    ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
