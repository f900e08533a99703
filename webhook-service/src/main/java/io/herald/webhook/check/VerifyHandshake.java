package io.herald.webhook.check;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The subscription handshake Meta performs once when the callback URL is registered: {@code GET
 * ?hub.mode=subscribe&hub.verify_token=<ours>&hub.challenge=<n>}, answered 200 with the challenge
 * as the body when the token is ours, 403 otherwise. The token is compared in constant time. The
 * challenge is echoed only when it is short and alphanumeric (Meta sends digits), so the endpoint
 * cannot be used to reflect arbitrary content. Immutable and thread-safe.
 */
public final class VerifyHandshake {

  /** Longest challenge echoed. */
  public static final int CHALLENGE_MAX_CHARS = 256;

  /** Longest query string read; longer ones are refused unread (Meta's is well under 1 KiB). */
  public static final int QUERY_MAX_CHARS = 4096;

  private static final Pattern CHALLENGE =
      Pattern.compile("[A-Za-z0-9]{1," + CHALLENGE_MAX_CHARS + "}");

  /** What to answer: the HTTP status, the body (the challenge, or a short reason) and why. */
  public record Answer(int status, String body, Outcome outcome) {}

  /** Why the handshake was answered the way it was; a bounded set, for the metric. */
  public enum Outcome {
    VERIFIED,
    REFUSED,
    BAD_REQUEST
  }

  private final byte[] verifyToken;

  /**
   * @param verifyToken the token entered with the callback URL in the Meta app (not empty)
   */
  public VerifyHandshake(String verifyToken) {
    Objects.requireNonNull(verifyToken, "verifyToken");
    if (verifyToken.isEmpty()) {
      throw new IllegalArgumentException("the verify token is empty");
    }
    this.verifyToken = verifyToken.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @param rawQuery the request's query string, still URL-encoded; null when there is none
   */
  public Answer answer(String rawQuery) {
    if (rawQuery != null && rawQuery.length() > QUERY_MAX_CHARS) {
      return new Answer(400, "query too long\n", Outcome.BAD_REQUEST);
    }
    Map<String, String> q;
    try {
      q = parseQuery(rawQuery);
    } catch (IllegalArgumentException e) {
      return new Answer(400, "malformed query\n", Outcome.BAD_REQUEST);
    }
    String token = q.get("hub.verify_token");
    boolean tokenOk =
        token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), verifyToken);
    if (!"subscribe".equals(q.get("hub.mode")) || !tokenOk) {
      return new Answer(403, "forbidden\n", Outcome.REFUSED);
    }
    String challenge = q.get("hub.challenge");
    if (challenge == null || !CHALLENGE.matcher(challenge).matches()) {
      return new Answer(400, "bad hub.challenge\n", Outcome.BAD_REQUEST);
    }
    return new Answer(200, challenge, Outcome.VERIFIED);
  }

  /**
   * Decodes {@code a=1&b=2}; the first occurrence of a name wins.
   *
   * @throws IllegalArgumentException on a malformed escape
   */
  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(name, value);
    }
    return out;
  }

  @Override
  public String toString() {
    return "VerifyHandshake[token=[hidden]]";
  }
}
