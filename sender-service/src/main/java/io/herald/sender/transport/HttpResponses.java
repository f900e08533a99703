package io.herald.sender.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/** Shared pieces of the HTTP adapters. */
final class HttpResponses {

  private HttpResponses() {}

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

  static TransportResponse failure(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof HttpTimeoutException) {
      return TransportResponse.timeout(cause.getClass().getSimpleName());
    }
    if (cause instanceof ConnectException) {
      return TransportResponse.connectionError("connection refused");
    }
    if (cause instanceof IOException) {
      return TransportResponse.connectionError(cause.getClass().getSimpleName());
    }
    return TransportResponse.connectionError("client error: " + cause.getClass().getSimpleName());
  }

  static String digits(String phone) {
    return phone == null ? "" : phone.replaceAll("[^0-9]", "");
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
