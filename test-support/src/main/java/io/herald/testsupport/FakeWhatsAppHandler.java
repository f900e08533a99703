package io.herald.testsupport;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import io.herald.testsupport.FakeWhatsAppApi.Api;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import io.herald.testsupport.FakeWhatsAppWire.Parsed;
import io.herald.testsupport.FakeWhatsAppWire.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one HTTP exchange as the Cloud API or the gateway would: routes by path, checks the
 * method and credentials, records the request (secrets left out), waits the scripted delay (or
 * forever, for a hang) and sends the scripted answer. The script itself lives in {@link
 * FakeWhatsAppApi}.
 */
final class FakeWhatsAppHandler implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(FakeWhatsAppHandler.class);

  private static final Pattern CLOUD_PATH =
      Pattern.compile("^/(v\\d+(?:\\.\\d+)?)/([^/]+)/messages/?$");
  private static final Set<String> GATEWAY_PATHS =
      Set.of("/api/sendText", "/api/sendImage", "/api/sendFile");

  /** Secrets never reach the recording, so a test can print requests freely. */
  private static final Set<String> SECRET_HEADERS = Set.of("authorization", "x-api-key");

  private final String accessToken;
  private final String apiKey;
  private final FakeWhatsAppWire wire = new FakeWhatsAppWire();
  private final Function<String, Answer> nextAnswer;
  private final FakeCloudRules rules;
  private final Supplier<Duration> delay;
  private final Consumer<Request> recorder;
  private final CountDownLatch closedLatch;

  /**
   * @param nextAnswer the scripted answer for a recipient, as sent
   * @param rules the Cloud API's window and template rules, checked before the scripted answer
   * @param delay added before every answer
   * @param recorder receives every request, before any delay
   * @param closedLatch released when the fake closes: hung and delayed requests then end unanswered
   */
  FakeWhatsAppHandler(
      String accessToken,
      String apiKey,
      Function<String, Answer> nextAnswer,
      FakeCloudRules rules,
      Supplier<Duration> delay,
      Consumer<Request> recorder,
      CountDownLatch closedLatch) {
    this.accessToken = accessToken;
    this.apiKey = apiKey;
    this.nextAnswer = nextAnswer;
    this.rules = rules;
    this.delay = delay;
    this.recorder = recorder;
    this.closedLatch = closedLatch;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Instant receivedAt = Instant.now();
      byte[] bodyBytes = exchange.getRequestBody().readAllBytes();
      String body = new String(bodyBytes, StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();

      Matcher cloud = CLOUD_PATH.matcher(path);
      Reply reply;
      Parsed parsed;
      Api api;
      if (cloud.matches()) {
        api = Api.CLOUD;
        parsed = wire.parseCloud(body);
        reply = cloudReply(exchange, method, parsed, body);
      } else if (GATEWAY_PATHS.contains(path)) {
        api = Api.GATEWAY;
        parsed = wire.parseGateway(path, body);
        reply = gatewayReply(exchange, method, parsed);
      } else {
        api = Api.UNKNOWN;
        parsed = Parsed.EMPTY;
        reply = new Reply(api, Answer.error(404, 0, "Unknown path " + path), null, parsed);
      }

      String commandId = exchange.getRequestHeaders().getFirst(FakeWhatsAppApi.COMMAND_ID_HEADER);
      if (commandId == null) {
        commandId = parsed.callbackData();
      }
      recorder.accept(
          new Request(
              receivedAt,
              api,
              method,
              path,
              cloud.matches() ? cloud.group(1) : null,
              cloud.matches() ? cloud.group(2) : null,
              parsed.to(),
              parsed.type(),
              parsed.text(),
              parsed.mediaLink(),
              parsed.caption(),
              Optional.ofNullable(commandId),
              publicHeaders(exchange.getRequestHeaders()),
              body,
              reply.answer().hangs() ? 0 : reply.answer().status(),
              reply.messageId()));

      Duration wait = delay.get().plus(reply.answer().delay());
      if (reply.answer().hangs()) {
        closedLatch.await();
        return; // closing without headers drops the connection: the caller sees no answer
      }
      if (!wait.isZero() && closedLatch.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
      send(exchange, reply);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Fake WhatsApp API failed to handle a request", e);
      throw e;
    }
  }

  private Reply cloudReply(HttpExchange exchange, String method, Parsed parsed, String body) {
    if (!"POST".equals(method)) {
      return new Reply(
          Api.CLOUD, Answer.error(405, 100, "Unsupported " + method + " request."), null, parsed);
    }
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.equals("Bearer " + accessToken)) {
      return new Reply(
          Api.CLOUD,
          Answer.error(401, 190, "Invalid OAuth access token - Cannot parse access token"),
          null,
          parsed);
    }
    if (parsed.problem() != null) {
      return new Reply(Api.CLOUD, Answer.error(400, 100, parsed.problem()), null, parsed);
    }
    Answer refused = rules.check(parsed.to(), parsed.type(), body);
    if (refused != null) {
      return new Reply(Api.CLOUD, refused, null, parsed);
    }
    Answer answer = nextAnswer.apply(parsed.to());
    String id = answer.isSuccess() ? "wamid." + wire.uniqueId() : null;
    return new Reply(Api.CLOUD, answer, id, parsed);
  }

  private Reply gatewayReply(HttpExchange exchange, String method, Parsed parsed) {
    if (!"POST".equals(method)) {
      String path = exchange.getRequestURI().getPath();
      return new Reply(
          Api.GATEWAY, Answer.error(405, 0, "Cannot " + method + " " + path), null, parsed);
    }
    String key = exchange.getRequestHeaders().getFirst("X-Api-Key");
    if (key == null || !key.equals(apiKey)) {
      return new Reply(Api.GATEWAY, Answer.error(401, 0, "Unauthorized"), null, parsed);
    }
    if (parsed.problem() != null) {
      return new Reply(Api.GATEWAY, Answer.error(400, 0, parsed.problem()), null, parsed);
    }
    Answer answer = nextAnswer.apply(parsed.to());
    String id = answer.isSuccess() ? "true_" + parsed.to() + "_" + wire.uniqueId() : null;
    return new Reply(Api.GATEWAY, answer, id, parsed);
  }

  private void send(HttpExchange exchange, Reply reply) throws IOException {
    Answer answer = reply.answer();
    byte[] bytes = wire.responseBody(exchange, reply);
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    if (answer.retryAfter() != null) {
      long seconds = Math.max(0, (answer.retryAfter().toMillis() + 999) / 1000);
      headers.set("Retry-After", Long.toString(seconds));
    }
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, List<String>> publicHeaders(Headers headers) {
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (name, values) -> {
          if (!SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            copy.put(name, List.copyOf(values));
          }
        });
    return Collections.unmodifiableMap(copy);
  }
}
