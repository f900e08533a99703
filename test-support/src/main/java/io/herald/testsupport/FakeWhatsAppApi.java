package io.herald.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for the WhatsApp Business Cloud API and a WAHA-style WhatsApp-Web gateway, on a
 * free loopback port, for transport and sender tests.
 *
 * <p>Endpoints:
 *
 * <ul>
 *   <li>{@code POST /{version}/{phoneNumberId}/messages} with {@code Authorization: Bearer
 *       <token>}: the Cloud API's send call. Answers {@code 200
 *       {"messaging_product":"whatsapp","contacts":[{"input":..,"wa_id":..}],"messages":[{"id":"wamid.."}]}},
 *       or the Graph error shape {@code {"error":{"message","type","code","error_subcode",
 *       "error_data","fbtrace_id"}}}.
 *   <li>{@code POST /api/sendText}, {@code /api/sendImage}, {@code /api/sendFile} with {@code
 *       X-Api-Key}: the gateway's calls ({@code session}, {@code chatId}, {@code text} or {@code
 *       file{url}} and {@code caption}).
 *   <li>{@code GET /api/sessions/{session}} and {@code GET /instance/connectionState/{instance}}:
 *       the gateways' session state, scripted by {@link #sessionState} (not recorded as requests;
 *       counted by {@link #sessionProbes}).
 * </ul>
 *
 * <p>Answers are scripted: per-recipient queues first ({@link #enqueueFor}), then a shared queue
 * ({@link #enqueue}), then a default ({@link #defaultAnswer}, initially success). Every request is
 * recorded on arrival, before any delay, with secrets removed. Thread-safe. {@link #close()}
 * releases hung and delayed requests by dropping their connections without an answer, as a crash of
 * the real service mid-call would.
 */
public final class FakeWhatsAppApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FakeWhatsAppApi.class);

  public static final String DEFAULT_ACCESS_TOKEN = "test-access-token";
  public static final String DEFAULT_API_KEY = "test-api-key";

  /** Header a Herald transport may send its command id in; recorded, never required. */
  public static final String COMMAND_ID_HEADER = "X-Herald-Command-Id";

  private final HttpServer server;
  private final ExecutorService executor;
  private final String accessToken;
  private final String apiKey;
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Deque<Answer> sharedQueue = new ConcurrentLinkedDeque<>();
  private final Map<String, Deque<Answer>> recipientQueues = new ConcurrentHashMap<>();
  private final AtomicReference<Answer> defaultAnswer = new AtomicReference<>(Answer.ok());
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final FakeCloudRules rules = new FakeCloudRules();
  private final FakeGatewaySessions sessions;

  private FakeWhatsAppApi(String accessToken, String apiKey) {
    this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    AtomicInteger threadNumber = new AtomicInteger();
    // The server's default executor is its single dispatcher thread: one hung request would
    // block every other one, which is not how the real API behaves.
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "herald-fake-whatsapp-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      this.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("Cannot bind the fake WhatsApp API to 127.0.0.1", e);
    }
    server.setExecutor(executor);
    server.createContext(
        "/",
        new FakeWhatsAppHandler(
            accessToken, apiKey, this::nextAnswer, rules, delay::get, requests::add, closedLatch));
    // the gateways' session-state endpoints: longer prefixes win over "/"
    this.sessions = new FakeGatewaySessions(apiKey);
    server.createContext(FakeGatewaySessions.WAHA_PREFIX, sessions);
    server.createContext(FakeGatewaySessions.EVOLUTION_PREFIX, sessions);
    server.start();
    log.debug("Fake WhatsApp API listening: baseUrl={}", baseUrl());
  }

  /** Starts with {@link #DEFAULT_ACCESS_TOKEN} and {@link #DEFAULT_API_KEY}. */
  public static FakeWhatsAppApi start() {
    return start(DEFAULT_ACCESS_TOKEN, DEFAULT_API_KEY);
  }

  /**
   * @param accessToken the bearer token Cloud API calls must present
   * @param apiKey the {@code X-Api-Key} gateway calls must present
   */
  public static FakeWhatsAppApi start(String accessToken, String apiKey) {
    return new FakeWhatsAppApi(accessToken, apiKey);
  }

  /**
   * What the gateway answers for {@code session} from now on: a WAHA status ({@code WORKING},
   * {@code SCAN_QR_CODE}, {@code FAILED}, …) on {@code GET /api/sessions/{session}}, or an
   * Evolution state ({@code open}, {@code close}, {@code connecting}) on {@code GET
   * /instance/connectionState/{session}}. Unscripted sessions are {@code WORKING} / {@code open}.
   */
  public FakeWhatsAppApi sessionState(String session, String state) {
    sessions.state(session, state);
    return this;
  }

  /** How many session-state requests named {@code session} (either gateway style). */
  public int sessionProbes(String session) {
    return sessions.probes(session);
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The Cloud API send URL, for example {@code messagesUri("v21.0", "1234567890")}. */
  public URI messagesUri(String apiVersion, String phoneNumberId) {
    return URI.create(baseUrl() + "/" + apiVersion + "/" + phoneNumberId + "/messages");
  }

  public String accessToken() {
    return accessToken;
  }

  public String apiKey() {
    return apiKey;
  }

  /** Answers for the next requests, whatever their recipient, in order. */
  public FakeWhatsAppApi enqueue(Answer... answers) {
    sharedQueue.addAll(List.of(answers));
    return this;
  }

  /**
   * Answers for the next requests to one recipient, checked before the shared queue. The
   * recipient matches with or without a leading {@code +} and a gateway {@code @c.us}/{@code
   * @g.us} suffix.
   */
  public FakeWhatsAppApi enqueueFor(String recipient, Answer... answers) {
    recipientQueues
        .computeIfAbsent(normalizeRecipient(recipient), k -> new ConcurrentLinkedDeque<>())
        .addAll(List.of(answers));
    return this;
  }

  /**
   * Enforces the 24-hour customer-service window like the real API: a free-form message to a
   * contact without an inbound message in the last 24 hours ({@link #inbound}) is refused with
   * 131047. Templates always pass the window.
   */
  public FakeWhatsAppApi enforceWindows() {
    rules.enforceWindows(true);
    return this;
  }

  /** {@code recipient} wrote to the business number at {@code at}: its window is open from then. */
  public FakeWhatsAppApi inbound(String recipient, Instant at) {
    rules.inbound(recipient, at);
    return this;
  }

  /**
   * Approves a template: once any is approved, a template message with another name or language is
   * refused (132001), and one whose body parameters are not {@code bodyParameters} (132000).
   */
  public FakeWhatsAppApi approveTemplate(String name, String language, int bodyParameters) {
    rules.approve(name, language, bodyParameters);
    return this;
  }

  /**
   * Turns {@link #enforceWindows()} off and forgets inbound messages and approved templates, and
   * nothing else: a suite sharing one fake across tests turns the rules on for one test only,
   * without losing the requests recorded for the others.
   */
  public FakeWhatsAppApi clearRules() {
    rules.clear();
    return this;
  }

  /** The answer once all queues are empty; initially {@link Answer#ok()}. */
  public FakeWhatsAppApi defaultAnswer(Answer answer) {
    defaultAnswer.set(Objects.requireNonNull(answer, "answer"));
    return this;
  }

  /** A delay added before every answer (on top of an answer's own delay), for slow-API tests. */
  public FakeWhatsAppApi delay(Duration perRequest) {
    delay.set(Objects.requireNonNull(perRequest, "perRequest"));
    return this;
  }

  /** Forgets scripts, delay, default answer and recorded requests. */
  public void reset() {
    sharedQueue.clear();
    recipientQueues.clear();
    defaultAnswer.set(Answer.ok());
    rules.clear();
    delay.set(Duration.ZERO);
    requests.clear();
  }

  /** Every request received so far, in arrival order (a snapshot). */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The requests to one recipient, matched like {@link #enqueueFor}. */
  public List<Request> requestsTo(String recipient) {
    String key = normalizeRecipient(recipient);
    return requests.stream().filter(r -> key.equals(normalizeRecipient(r.to()))).toList();
  }

  public int requestCount() {
    return requests.size();
  }

  /**
   * Stops listening. Requests still waiting (hung or delayed) lose their connection without an
   * answer. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closedLatch.countDown();
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("Fake WhatsApp API threads still running after close: baseUrl={}", baseUrl());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Answer nextAnswer(String to) {
    Deque<Answer> own = recipientQueues.get(normalizeRecipient(to));
    Answer answer = own == null ? null : own.pollFirst();
    if (answer == null) {
      answer = sharedQueue.pollFirst();
    }
    return answer == null ? defaultAnswer.get() : answer;
  }

  static String normalizeRecipient(String recipient) {
    if (recipient == null) {
      return "";
    }
    String r = recipient.trim();
    int at = r.indexOf('@');
    if (at >= 0) {
      r = r.substring(0, at);
    }
    return r.startsWith("+") ? r.substring(1) : r;
  }

  /** Which API a request was addressed to. */
  public enum Api {
    /** {@code POST /{version}/{phoneNumberId}/messages}. */
    CLOUD,
    /** {@code POST /api/send...} (WAHA-style gateway). */
    GATEWAY,
    /** Any other path; answered 404. */
    UNKNOWN
  }

  /**
   * One scripted answer.
   *
   * @param status HTTP status; 2xx is a success with a fresh message id
   * @param errorCode Graph error code ({@code error.code}), 0 for successes
   * @param errorSubcode {@code error.error_subcode}, or null to leave it out
   * @param message {@code error.message}
   * @param retryAfter sent as a {@code Retry-After} header in whole seconds (rounded up), or null
   * @param delay waited before answering, never null
   * @param hangs never answer; the connection drops when the fake closes
   */
  public record Answer(
      int status,
      int errorCode,
      Integer errorSubcode,
      String message,
      Duration retryAfter,
      Duration delay,
      boolean hangs) {

    public Answer {
      Objects.requireNonNull(delay, "delay");
    }

    /** 200 with a fresh {@code wamid}. */
    public static Answer ok() {
      return new Answer(200, 0, null, null, null, Duration.ZERO, false);
    }

    /** Any error, in the API's error shape. */
    public static Answer error(int status, int errorCode, String message) {
      return new Answer(status, errorCode, null, message, null, Duration.ZERO, false);
    }

    /** 429, code 130429 (throughput exceeded), with {@code Retry-After}. */
    public static Answer rateLimited(Duration retryAfter) {
      return error(429, 130429, "(#130429) Rate limit hit").withRetryAfter(retryAfter);
    }

    /** 400, code 131056: too many messages to the same user. */
    public static Answer pairRateLimited() {
      return error(
          400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit");
    }

    /** 400, code 131026: message undeliverable to that recipient (permanent). */
    public static Answer undeliverable() {
      return error(400, 131026, "Message undeliverable");
    }

    /** 400, code 131047: outside the 24-hour customer-service window. */
    public static Answer reEngagementRequired() {
      return error(400, 131047, "Re-engagement message");
    }

    /** 400, code 131048: spam rate limit; Herald pauses the device. */
    public static Answer spamRateLimited() {
      return error(400, 131048, "Spam rate limit hit");
    }

    /** 500, code 131000: the service failed (transient). */
    public static Answer serverError() {
      return error(500, 131000, "Something went wrong");
    }

    /** 503, code 131016: service unavailable (transient). */
    public static Answer serviceUnavailable() {
      return error(503, 131016, "Service unavailable");
    }

    /** Never answers; the connection drops when the fake closes (a crash mid-call). */
    public static Answer hang() {
      return new Answer(0, 0, null, null, null, Duration.ZERO, true);
    }

    public Answer withRetryAfter(Duration value) {
      return new Answer(status, errorCode, errorSubcode, message, value, delay, hangs);
    }

    public Answer withSubcode(int value) {
      return new Answer(status, errorCode, value, message, retryAfter, delay, hangs);
    }

    public Answer withDelay(Duration value) {
      return new Answer(status, errorCode, errorSubcode, message, retryAfter, value, hangs);
    }

    boolean isSuccess() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * A request as received.
   *
   * @param receivedAt arrival time, before any scripted delay
   * @param apiVersion for {@link Api#CLOUD}, e.g. {@code v21.0}; otherwise null
   * @param phoneNumberId for {@link Api#CLOUD}; otherwise null
   * @param to the Cloud API's {@code to} or the gateway's {@code chatId}, as sent
   * @param type {@code text}, {@code image}, {@code document}, ... ({@code text} when omitted)
   * @param text the message text ({@code text.body} or {@code text}); the template name for
   *     templates; null for media
   * @param mediaLink the media {@code link} / {@code file.url}
   * @param caption the media caption
   * @param commandId from {@code X-Herald-Command-Id}, else from {@code biz_opaque_callback_data}
   * @param headers request headers without {@code Authorization} and {@code X-Api-Key}
   * @param body the raw request body
   * @param status the HTTP status answered (or about to be, after a delay); 0 when hung
   * @param messageId the {@code wamid} (or gateway id) returned on success, else null
   */
  public record Request(
      Instant receivedAt,
      Api api,
      String method,
      String path,
      String apiVersion,
      String phoneNumberId,
      String to,
      String type,
      String text,
      String mediaLink,
      String caption,
      Optional<String> commandId,
      Map<String, List<String>> headers,
      String body,
      int status,
      String messageId) {

    /** First value of a header, ignoring case. */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }
}
