package io.herald.sender.transport;

import io.herald.contracts.limit.Limits;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/** Shared pieces of the HTTP adapters. */
final class HttpResponses {

  private HttpResponses() {}

  /** Error code of a command whose media URL is refused: permanent, no request. */
  static final String MEDIA_URL = "media_url";

  /**
   * Runs {@code call} once {@code mediaUrl} (may be null) passed the device policy; a refused one
   * answers a permanent {@code media_url} failure with the reason, and nothing is sent. Never
   * completes exceptionally.
   */
  static CompletableFuture<TransportResponse> afterMediaCheck(
      DeviceReach reach, String mediaUrl, Supplier<CompletableFuture<TransportResponse>> call) {
    return reach
        .mediaRefusal(mediaUrl)
        .handle(
            (refusal, err) -> {
              if (err != null) {
                return CompletableFuture.completedFuture(
                    TransportResponse.connectionError(
                        "not sent: media host check did not run (" + describe(unwrap(err)) + ")"));
              }
              if (refusal != null) {
                return CompletableFuture.completedFuture(
                    TransportResponse.error(0, MEDIA_URL, refusal, null));
              }
              try {
                return call.get();
              } catch (RuntimeException e) {
                // the client refused the request before sending it
                return CompletableFuture.completedFuture(
                    TransportResponse.connectionError("not sent: " + describe(e)));
              }
            })
        .thenCompose(f -> f);
  }

  static Duration retryAfter(HttpResponse<?> response) {
    Optional<String> v = response.headers().firstValue("Retry-After");
    if (v.isEmpty()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(v.get().trim());
      return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException e) {
      return null; // HTTP-date form: ignored, the backoff applies
    }
  }

  /**
   * Maps a failed call (no HTTP answer) to a {@link TransportResponse}, deciding whether the
   * request may have reached the server. Only failures that happen before the request can have been
   * written are {@link TransportResponse.Failure#CONNECTION} (safe to retry): connection refused,
   * connect timeout, DNS failure, TLS handshake failure. A timeout waiting for the answer, a
   * connection reset or closed after the request was written, an incomplete answer and anything
   * unrecognised may have been received, and WhatsApp has no idempotency key: they are {@link
   * TransportResponse.Failure#TIMEOUT} or {@link TransportResponse.Failure#CONNECTION_LOST}.
   *
   * <p>The JDK client reports a connect that did not finish within the request timeout as {@link
   * HttpConnectTimeoutException} (checked on JDK 17), so a request timeout is a response timeout.
   *
   * @param timeout the request timeout, for the reason
   */
  static TransportResponse failure(Throwable t, Duration timeout) {
    Throwable cause = unwrap(t);
    String notSent = notSentReason(cause);
    if (notSent != null) {
      return TransportResponse.connectionError(notSent);
    }
    if (cause instanceof HttpTimeoutException) {
      return TransportResponse.timeout("no answer within " + timeout);
    }
    if (cause instanceof IOException) {
      return TransportResponse.connectionLost(
          "connection lost before a complete answer: " + describe(cause));
    }
    return TransportResponse.connectionLost("client error: " + describe(cause));
  }

  /** Why the request certainly did not reach the server, or null when it may have. */
  private static String notSentReason(Throwable cause) {
    boolean connectFailed = false;
    int depth = 0;
    for (Throwable c = cause; c != null && depth < 8; c = c.getCause(), depth++) {
      if (c instanceof HttpConnectTimeoutException) {
        return "connect timed out";
      }
      if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
        return "host not resolved";
      }
      if (c instanceof SSLHandshakeException) {
        return "TLS handshake failed";
      }
      if (c instanceof NoRouteToHostException) {
        return "no route to host";
      }
      // the JDK wraps connect timeouts and DNS failures in a ConnectException too
      connectFailed |= c instanceof ConnectException;
    }
    return connectFailed ? "connection refused" : null;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static String describe(Throwable t) {
    String name = t.getClass().getSimpleName();
    Throwable root = t;
    for (int i = 0; i < 8 && root.getCause() != null; i++) {
      root = root.getCause();
    }
    if (root != t) {
      name = name + " (" + root.getClass().getSimpleName() + ")";
    }
    return name;
  }

  static String digits(String phone) {
    return phone == null ? "" : phone.replaceAll("[^0-9]", "");
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  /** What replaces a secret in an error text. */
  static final String HIDDEN = "[hidden]";

  /** {@code Bearer <credential>} in any case. */
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+");

  /** {@code access_token=...}, {@code api_key: ...} and the like, in any case. */
  private static final Pattern CREDENTIAL_PARAM =
      Pattern.compile(
          "(?i)((?:access_token|api[_-]?key|apikey|token|secret|password)\"?\\s*[=:]\\s*\"?)"
              + "[^\\s\"'&,;]+");

  /** A Meta access token (user, system-user and page tokens start with EAA). */
  private static final Pattern META_TOKEN = Pattern.compile("\\bEAA[A-Za-z0-9]{20,}");

  /**
   * An answer's error text as the sender may keep it ({@code error_message}, logs): every
   * occurrence of {@code secrets} (the request's token or API key), bearer credentials, credential
   * parameters and Meta tokens replaced by {@code [hidden]}, then cut to 300 characters. Masked
   * before it is cut, so no prefix of a secret survives the cut.
   */
  static String errorText(String message, String... secrets) {
    if (message == null) {
      return null;
    }
    String m = message;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        m = m.replace(secret, HIDDEN);
      }
    }
    m = BEARER.matcher(m).replaceAll("$1" + HIDDEN);
    m = CREDENTIAL_PARAM.matcher(m).replaceAll("$1" + HIDDEN);
    m = META_TOKEN.matcher(m).replaceAll(HIDDEN);
    return truncate(m, Limits.ERROR_REASON_MAX_CHARS);
  }
}
