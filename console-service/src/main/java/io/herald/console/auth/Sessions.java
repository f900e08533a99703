package io.herald.console.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in sessions, in memory (a restart logs everyone out, which is fine for an admin port): an
 * unguessable id for the cookie, the principal, a CSRF token for its forms and one flash message. A
 * session idle for {@link #IDLE} is gone.
 */
public final class Sessions {

  public static final Duration IDLE = Duration.ofHours(8);

  /** Bound on live sessions, so a login loop cannot grow memory without end. */
  static final int MAX_SESSIONS = 10_000;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One session; {@code flash} is shown once, on the next page. */
  public static final class Session {
    private final String id;
    private final Principal principal;
    private final String csrf;
    private volatile Instant lastSeen;
    private volatile String flash;

    Session(String id, Principal principal, String csrf, Instant now) {
      this.id = id;
      this.principal = principal;
      this.csrf = csrf;
      this.lastSeen = now;
    }

    public String id() {
      return id;
    }

    public Principal principal() {
      return principal;
    }

    public String csrf() {
      return csrf;
    }

    public void flash(String message) {
      this.flash = message;
    }

    /** The flash message, removed. */
    public Optional<String> takeFlash() {
      String f = flash;
      flash = null;
      return Optional.ofNullable(f);
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;

  public Sessions(Clock clock) {
    this.clock = clock;
  }

  public Session open(Principal principal) {
    Instant now = clock.instant();
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().removeIf(s -> expired(s, now));
      // still full (a client that never keeps its cookie): the longest idle one goes
      while (sessions.size() >= MAX_SESSIONS) {
        sessions.values().stream()
            .min(java.util.Comparator.comparing((Session s) -> s.lastSeen))
            .ifPresent(s -> sessions.remove(s.id()));
      }
    }
    Session s = new Session(randomToken(), principal, randomToken(), now);
    sessions.put(s.id(), s);
    return s;
  }

  /** The live session with this id, its idle clock restarted. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      sessions.remove(id);
      return Optional.empty();
    }
    s.lastSeen = now;
    return Optional.of(s);
  }

  public void close(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static boolean expired(Session s, Instant now) {
    return !s.lastSeen.plus(IDLE).isAfter(now);
  }

  /** 256 random bits, URL-safe. */
  public static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
