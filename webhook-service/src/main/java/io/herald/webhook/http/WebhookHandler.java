package io.herald.webhook.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.herald.contracts.event.WebhookDelivery;
import io.herald.webhook.check.SignatureCheck;
import io.herald.webhook.check.VerifyHandshake;
import io.herald.webhook.check.WebhookBody;
import io.herald.webhook.metrics.WebhookMetrics;
import io.herald.webhook.metrics.WebhookMetrics.Outcome;
import io.herald.webhook.publish.DeliveryPublisher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request of the receiver's port. On {@link #PATH}: GET is the subscription
 * handshake; POST is a delivery, taken in this order — size bound (413, the rest never read into
 * memory), signature over the raw bytes (401), a JSON object (400), the broker's acknowledgement
 * within the produce timeout (200, else 503 so the provider retries). Any other method is 405, any
 * other path 404. Logs name the outcome and the reason, never a header value, a body or a secret.
 */
public final class WebhookHandler implements HttpHandler {

  /** The one path Meta is given as the callback URL. */
  public static final String PATH = "/webhooks/whatsapp";

  private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);

  /** Refusals are logged at WARN at most this often; the metric counts every one. */
  private static final long REFUSAL_WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final SignatureCheck signature;
  private final VerifyHandshake handshake;
  private final DeliveryPublisher publisher;
  private final WebhookMetrics metrics;
  private final int maxBodyBytes;
  private final Duration produceTimeout;
  private final Clock clock;
  private final AtomicLong nextRefusalWarn = new AtomicLong(System.nanoTime());

  public WebhookHandler(
      SignatureCheck signature,
      VerifyHandshake handshake,
      DeliveryPublisher publisher,
      WebhookMetrics metrics,
      int maxBodyBytes,
      Duration produceTimeout,
      Clock clock) {
    this.signature = signature;
    this.handshake = handshake;
    this.publisher = publisher;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
    this.produceTimeout = produceTimeout;
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!PATH.equals(ex.getRequestURI().getRawPath())) {
        respond(ex, 404, "not found\n");
        return;
      }
      switch (ex.getRequestMethod()) {
        case "GET":
          verify(ex);
          break;
        case "POST":
          deliver(ex);
          break;
        default:
          ex.getResponseHeaders().set("Allow", "GET, POST");
          respond(ex, 405, "method not allowed\n");
      }
    } catch (IOException e) {
      // the client went away mid-request or mid-answer; nothing was accepted unless Kafka said so
      log.debug("Webhook request ended early: error={}", e.toString());
    }
  }

  private void verify(HttpExchange ex) throws IOException {
    VerifyHandshake.Answer a = handshake.answer(ex.getRequestURI().getRawQuery());
    switch (a.outcome()) {
      case VERIFIED:
        metrics.count(Outcome.VERIFY_OK);
        log.info("Webhook subscription verified");
        break;
      case REFUSED:
        metrics.count(Outcome.VERIFY_REFUSED);
        refused("Webhook verification refused: wrong hub.mode or hub.verify_token");
        break;
      default:
        metrics.count(Outcome.BAD_REQUEST);
        break;
    }
    respond(ex, a.status(), a.body());
  }

  private void deliver(HttpExchange ex) throws IOException {
    byte[] body = readBounded(ex);
    if (body == null) {
      metrics.count(Outcome.TOO_LARGE);
      refused("Webhook POST refused: body over maxBodyBytes={}", maxBodyBytes);
      // the rest of the body is not read: close the connection rather than drain it
      ex.getResponseHeaders().set("Connection", "close");
      respond(ex, 413, "body too large\n");
      return;
    }
    SignatureCheck.Result sig =
        signature.check(ex.getRequestHeaders().getFirst(SignatureCheck.HEADER), body);
    if (!sig.valid()) {
      metrics.count(Outcome.BAD_SIGNATURE);
      refused("Webhook POST refused: signature={} bytes={}", sig, body.length);
      respond(ex, 401, "bad signature\n");
      return;
    }
    WebhookBody.Read read;
    try {
      read = WebhookBody.read(body);
    } catch (WebhookBody.Unreadable e) {
      metrics.count(Outcome.BAD_REQUEST);
      refused("Signed webhook POST refused: reason={} bytes={}", e.getMessage(), body.length);
      respond(ex, 400, "body is not a JSON object\n");
      return;
    }
    WebhookDelivery delivery =
        new WebhookDelivery(
            WebhookDelivery.SCHEMA_VERSION, clock.instant(), read.phoneNumberId(), read.text());
    long started = System.nanoTime();
    boolean acked = publisher.publish(delivery, produceTimeout);
    metrics.produced(Duration.ofNanos(System.nanoTime() - started));
    if (!acked) {
      metrics.count(Outcome.PRODUCE_FAILED);
      respond(ex, 503, "not stored, retry\n");
      return;
    }
    metrics.count(Outcome.ACCEPTED);
    metrics.accepted(body.length);
    respond(ex, 200, "ok\n");
  }

  /**
   * Logs a refusal: at WARN when none was logged at WARN within the last minute, else at DEBUG, so
   * a stream of forged or oversized POSTs cannot flood the log; {@code
   * herald_webhook_requests_total} counts them all.
   */
  private void refused(String format, Object... args) {
    long now = System.nanoTime();
    long next = nextRefusalWarn.get();
    if (now - next >= 0 && nextRefusalWarn.compareAndSet(next, now + REFUSAL_WARN_EVERY_NANOS)) {
      log.warn(format + " (more within a minute are logged at DEBUG)", args);
    } else {
      log.debug(format, args);
    }
  }

  /** The body, or null when it is (or is declared) longer than the bound; reads at most bound+1. */
  private byte[] readBounded(HttpExchange ex) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxBodyBytes) {
          return null;
        }
      } catch (NumberFormatException e) {
        // the server refuses such requests itself; the bounded read below decides otherwise
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(maxBodyBytes + 1);
      return body.length > maxBodyBytes ? null : body;
    }
  }

  private static void respond(HttpExchange ex, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
