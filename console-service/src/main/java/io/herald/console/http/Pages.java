package io.herald.console.http;

import io.herald.console.action.Audit;
import io.herald.console.action.DeviceResume;
import io.herald.console.action.Replay;
import io.herald.console.auth.Principal;
import io.herald.console.auth.Sessions.Session;
import io.herald.console.read.ConsumerLag;
import io.herald.console.read.Db;
import io.herald.console.read.DeadLetterReader;
import io.herald.console.read.DeadLetterReader.Letter;
import io.herald.console.read.Definitions;
import io.herald.console.read.Devices;
import io.herald.console.read.Overview;
import io.herald.console.view.AuditView;
import io.herald.console.view.DeadLettersView;
import io.herald.console.view.DefinitionsView;
import io.herald.console.view.DevicesView;
import io.herald.console.view.Layout;
import io.herald.console.view.Layout.Viewer;
import io.herald.console.view.OverviewView;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The console's pages, one method each. A row a tenant-scoped principal may not see is answered
 * exactly like a missing one (404), so an id tells nothing about another tenant.
 */
public final class Pages {

  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Set<String> KINDS = Set.of("recurring", "broadcast", "autopost");
  private static final Pattern STATUS = Pattern.compile("[a-z_]{1,40}");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private final Db db;
  private final Overview overview;
  private final Definitions definitions;
  private final Devices devices;
  private final Audit audit;
  private final DeadLetterReader deadLetters;
  private final ConsumerLag lag;
  private final Replay replay;
  private final Clock clock;

  public Pages(
      Db db,
      Definitions definitions,
      DeadLetterReader deadLetters,
      ConsumerLag lag,
      Replay replay,
      Clock clock) {
    this.db = db;
    this.overview = new Overview(db);
    this.definitions = definitions;
    this.devices = new Devices(db);
    this.audit = new Audit(db);
    this.deadLetters = deadLetters;
    this.lag = lag;
    this.replay = replay;
    this.clock = clock;
  }

  Response handle(Request r, Viewer v, Session session) throws Exception {
    List<String> s = r.segments();
    boolean get = r.method.equals("GET") || r.method.equals("HEAD");
    boolean post = r.method.equals("POST");
    String first = s.isEmpty() ? "" : s.get(0);
    switch (first) {
      case "":
        return get ? overview(v) : notAllowed();
      case "definitions":
        if (!get) {
          return notAllowed();
        }
        if (s.size() == 1) {
          return definitionsList(r, v);
        }
        return s.size() == 2 ? definition(v, s.get(1)) : notFound(v);
      case "devices":
        if (s.size() == 1) {
          return get ? Response.ok(DevicesView.list(v, devices.list(v.principal()))) : notAllowed();
        }
        if (s.size() == 3 && s.get(2).equals("resume")) {
          if (get) {
            return resumePage(v, s.get(1));
          }
          return post ? resume(r, v, session, s.get(1)) : notAllowed();
        }
        return notFound(v);
      case "dead-letters":
        if (!v.principal().operator()) {
          return forbidden(v, "Dead letters cannot be attributed to a tenant: operators only.");
        }
        if (s.size() == 1) {
          return get
              ? Response.ok(
                  DeadLettersView.list(v, deadLetters.newest(DeadLetterReader.LIST_LIMIT)))
              : notAllowed();
        }
        if (s.size() == 4 && get) {
          return deadLetter(v, s, null);
        }
        if (s.size() == 5 && s.get(4).equals("replay")) {
          return post ? replay(v, session, s) : notAllowed();
        }
        return notFound(v);
      case "audit":
        if (!v.principal().operator()) {
          return forbidden(v, "The audit is for operators only.");
        }
        return get && s.size() == 1
            ? Response.ok(AuditView.render(v, audit.latest()))
            : notFound(v);
      default:
        return notFound(v);
    }
  }

  private Response overview(Viewer v) throws SQLException {
    Principal p = v.principal();
    Instant now = clock.instant();
    Overview.Numbers numbers = overview.read(p, now);
    Long lagTotal = null;
    String lagError = null;
    Long dead = null;
    boolean capped = false;
    String deadError = null;
    List<Audit.Entry> latest = null;
    if (p.operator()) {
      try {
        lagTotal = lag.total();
      } catch (RuntimeException e) {
        lagError = e.getMessage();
      }
      try {
        DeadLetterReader.Count c = deadLetters.countSince(now.minus(Duration.ofHours(24)));
        dead = c.count();
        capped = c.capped();
      } catch (RuntimeException e) {
        deadError = e.getMessage();
      }
      latest = audit.latest();
    }
    return Response.ok(
        OverviewView.render(
            v,
            new OverviewView.Model(numbers, lagTotal, lagError, dead, capped, deadError, latest)));
  }

  private Response definitionsList(Request r, Viewer v) throws SQLException {
    UUID tenant =
        r.param("tenant")
            .filter(t -> UUID_TEXT.matcher(t).matches())
            .map(UUID::fromString)
            .orElse(null);
    String kind = r.param("kind").filter(KINDS::contains).orElse(null);
    String status = r.param("status").filter(x -> STATUS.matcher(x).matches()).orElse(null);
    Definitions.Filter filter = new Definitions.Filter(tenant, kind, status);
    return Response.ok(DefinitionsView.list(v, filter, definitions.list(v.principal(), filter)));
  }

  private Response definition(Viewer v, String id) throws SQLException {
    Optional<UUID> uuid = uuid(id);
    if (uuid.isEmpty()) {
      return notFound(v);
    }
    return definitions
        .detail(v.principal(), uuid.get(), clock.instant())
        .map(d -> Response.ok(DefinitionsView.detail(v, d)))
        .orElseGet(() -> notFound(v));
  }

  private Response resumePage(Viewer v, String id) throws SQLException {
    Optional<Devices.Device> d = device(v, id);
    if (d.isEmpty()) {
      return notFound(v);
    }
    if (!d.get().resumable()) {
      return Response.page(
          409,
          Layout.message(
              "Resume device",
              v,
              "This device is " + d.get().status() + ", not paused: nothing to resume."));
    }
    return Response.ok(DevicesView.confirm(v, d.get(), null));
  }

  private Response resume(Request r, Viewer v, Session session, String id) throws Exception {
    Optional<Devices.Device> d = device(v, id);
    if (d.isEmpty()) {
      return notFound(v);
    }
    if (!d.get().resumable()) {
      return Response.page(
          409,
          Layout.message(
              "Resume device",
              v,
              "This device is " + d.get().status() + ", not paused: nothing to resume."));
    }
    String confirm = r.form().get("confirm");
    if (confirm == null || confirm.isBlank()) {
      return Response.page(
          400,
          DevicesView.confirm(
              v,
              d.get(),
              "Not resumed: tick \"I have checked the account's standing\" to confirm."));
    }
    Principal p = v.principal();
    Optional<DeviceResume.Resumed> done;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        done = DeviceResume.resume(c, d.get().id(), p.tenant());
        if (done.isPresent()) {
          Audit.record(
              c,
              p,
              "resume-device",
              d.get().id().toString(),
              done.get().previousStatus() + " -> active (" + d.get().pauseReason() + ")");
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    if (done.isEmpty()) {
      return notFound(v);
    }
    Audit.logged(p, "resume-device", d.get().id().toString());
    if (session != null) {
      session.flash(
          "Device " + nameOf(d.get()) + " resumed: " + done.get().previousStatus() + " -> active.");
    }
    return Response.redirect("/devices");
  }

  private Response deadLetter(Viewer v, List<String> s, String error) throws SQLException {
    Optional<Letter> letter = letter(s);
    if (letter.isEmpty()) {
      return notFound(v);
    }
    Letter l = letter.get();
    return Response.ok(
        DeadLettersView.detail(
            v, l, replay.replayed(l.dlqTopic(), l.partition(), l.offset()), error));
  }

  private Response replay(Viewer v, Session session, List<String> s) throws SQLException {
    Optional<Letter> letter = letter(s);
    if (letter.isEmpty()) {
      return notFound(v);
    }
    Letter l = letter.get();
    Replay.Outcome outcome = replay.replay(v.principal(), l);
    String message;
    if (outcome instanceof Replay.Done done) {
      message = "Replayed to " + done.topic() + ".";
    } else if (outcome instanceof Replay.AlreadyReplayed already) {
      message =
          "Already replayed at "
              + io.herald.console.view.Html.time(already.at())
              + " by "
              + already.principal()
              + ": nothing sent.";
    } else {
      Replay.Refused refused = (Replay.Refused) outcome;
      return Response.page(
          409,
          DeadLettersView.detail(
              v,
              l,
              replay.replayed(l.dlqTopic(), l.partition(), l.offset()),
              "Not replayed: " + refused.reason()));
    }
    if (session != null) {
      session.flash(message);
    }
    return Response.redirect("/dead-letters/" + l.id());
  }

  private Optional<Letter> letter(List<String> s) {
    if (!TOPIC.matcher(s.get(1)).matches()) {
      return Optional.empty();
    }
    try {
      int partition = Integer.parseInt(s.get(2));
      long offset = Long.parseLong(s.get(3));
      return deadLetters.find(s.get(1), partition, offset);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private Optional<Devices.Device> device(Viewer v, String id) throws SQLException {
    Optional<UUID> uuid = uuid(id);
    return uuid.isEmpty() ? Optional.empty() : devices.find(v.principal(), uuid.get());
  }

  private static String nameOf(Devices.Device d) {
    return d.name() == null || d.name().isBlank() ? d.id().toString() : d.name();
  }

  private static Optional<UUID> uuid(String s) {
    return UUID_TEXT.matcher(s).matches() ? Optional.of(UUID.fromString(s)) : Optional.empty();
  }

  static Response notFound(Viewer v) {
    return Response.page(404, Layout.message("Not found", v, "not found"));
  }

  private static Response forbidden(Viewer v, String why) {
    return Response.page(403, Layout.message("Forbidden", v, why));
  }

  private static Response notAllowed() {
    return Response.text(405, "method not allowed");
  }
}
