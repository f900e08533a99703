package io.herald.sender.webhook;

import io.herald.contracts.event.WebhookDelivery;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.jdbc.SqlFailures;
import io.herald.runtime.jdbc.SqlFailures.Fault;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.sender.metrics.WebhookMetrics;
import io.herald.sender.webhook.WebhookParser.MalformedWebhookException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code herald.whatsapp-webhooks} in its own consumer group ({@code <group>-webhooks},
 * read_committed) and applies each record's body ({@link WebhookParser}, {@link
 * JdbcWebhookProjection}) in one transaction of its own; offsets are committed only once every
 * polled record is applied or dead-lettered. A replay changes nothing: statuses only move forward,
 * windows keep the latest instant, opt-outs and quality updates are idempotent.
 *
 * <p>Failures are classified per record, like the result projector's (ADR 0010): an unreadable
 * record, a malformed body, or a body PostgreSQL refuses (data, integrity or limit errors) goes to
 * {@code herald.whatsapp-webhooks.dlq} and the next record is applied. A database or broker failure
 * keeps the record and the ones after it, pauses fetching and retries with backoff. The loop stops
 * only on an error it cannot classify; then {@link #ready()} turns false and {@code onFatal} tells
 * the app to exit.
 *
 * <p>Thread: {@code herald-webhooks}, a {@link ServiceLoop}.
 */
public final class WebhookProjector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookProjector.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY_BASE = Duration.ofMillis(200);
  private static final Duration RETRY_MAX = Duration.ofSeconds(30);

  /** Consecutive infrastructure failures after which each one is logged at ERROR. */
  private static final int ERROR_AFTER = 10;

  /** The database or the broker failed: the same record is applied again later. */
  private static final class InfrastructureFailure extends Exception {
    InfrastructureFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> dlqProducer;
  private final JdbcWebhookProjection projection;
  private final WebhookParser parser;
  private final WebhookMetrics metrics;
  private final Clock clock;
  private final Deserializer<WebhookDelivery> values =
      Topics.WHATSAPP_WEBHOOKS.valueSerde().deserializer();
  private final ServiceLoop loop;
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
  private int failures;
  private long retryAtNanos;
  private boolean paused;
  private boolean uncommitted;

  public WebhookProjector(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> dlqProducer,
      JdbcWebhookProjection projection,
      WebhookParser parser,
      WebhookMetrics metrics,
      Clock clock,
      MeterRegistry registry,
      java.util.function.Consumer<Throwable> onFatal) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.dlqProducer = Objects.requireNonNull(dlqProducer, "dlqProducer");
    this.projection = Objects.requireNonNull(projection, "projection");
    this.parser = Objects.requireNonNull(parser, "parser");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.loop =
        ServiceLoop.named("herald-webhooks")
            .metrics(registry)
            .setUp(() -> consumer.subscribe(List.of(Topics.WHATSAPP_WEBHOOKS.name())))
            .body(this::pollOnce)
            .wakeup(consumer::wakeup)
            .tearDown(this::closeConsumer)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** The projection as the app runs it, with its parser and meters. */
  public static WebhookProjector create(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> dlqProducer,
      JdbcWebhookProjection projection,
      List<String> optOutKeywords,
      Clock clock,
      MeterRegistry registry,
      java.util.function.Consumer<Throwable> onFatal) {
    return new WebhookProjector(
        consumer,
        dlqProducer,
        projection,
        new WebhookParser(new OptOutKeywords(optOutKeywords)),
        new WebhookMetrics(registry),
        clock,
        registry,
        onFatal);
  }

  public WebhookProjector start() {
    loop.start();
    return this;
  }

  /** True while the loop runs; false once it stopped on an error (or was closed). */
  public boolean ready() {
    return loop.running() && loop.healthy();
  }

  /** One poll: buffer its records, then apply them in order unless backing off. */
  private boolean pollOnce() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(pollTimeout())) {
      pending.add(r);
      uncommitted = true;
    }
    if (System.nanoTime() - retryAtNanos < 0 || pending.isEmpty()) {
      return false;
    }
    try {
      for (Iterator<ConsumerRecord<byte[], byte[]>> it = pending.iterator(); it.hasNext(); ) {
        settle(it.next());
        it.remove(); // settled: a retry neither applies nor dead-letters it twice
        metrics.record();
      }
      onWritten();
    } catch (InfrastructureFailure e) {
      onInfrastructureFailure(e);
    }
    commit();
    return true;
  }

  /** Applies one record, or dead-letters it when its content is at fault. */
  private void settle(ConsumerRecord<byte[], byte[]> r) throws InfrastructureFailure {
    WebhookDelivery d;
    try {
      d = values.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      deadLetter(r, "not a WebhookDelivery", e);
      return;
    }
    if (d == null) {
      deadLetter(r, "no value", null);
      return;
    }
    ParsedWebhook w;
    try {
      w = parser.parse(d.body());
    } catch (MalformedWebhookException | RuntimeException e) {
      deadLetter(r, "malformed webhook body: " + e.getMessage(), e);
      return;
    }
    Instant receivedAt =
        d.receivedAt() != null ? d.receivedAt() : Instant.ofEpochMilli(r.timestamp());
    WebhookOutcome out;
    try {
      out = projection.apply(w, d.phoneNumberId(), receivedAt);
    } catch (Exception e) { // SQLException or a bug: classified below, JDBC stays in Jdbc*
      if (e instanceof WakeupException || e instanceof InterruptException) {
        throw (RuntimeException) e;
      }
      if (SqlFailures.classify(e) == Fault.INFRASTRUCTURE) {
        throw new InfrastructureFailure("webhook record not applied", e);
      }
      deadLetter(r, "projection refused the record: " + SqlFailures.summary(e), e);
      return;
    }
    report(w, out, receivedAt);
  }

  private void report(ParsedWebhook w, WebhookOutcome out, Instant receivedAt) {
    for (Map.Entry<ProviderStatus, Integer> e : out.applied.entrySet()) {
      metrics.statusApplied(e.getKey().wire(), e.getValue());
    }
    metrics.notForward(out.notForward);
    metrics.unmatched("message", out.unmatchedMessages);
    metrics.unmatched("device", out.unmatchedDevices);
    metrics.invalidItems(w.invalidItems());
    metrics.inbound(out.inbound);
    metrics.optOuts(out.optOuts);
    metrics.qualityUpdates(out.qualityUpdates);
    metrics.lag(Duration.between(receivedAt, clock.instant()));
    if (w.droppedItems() > 0) {
      log.warn("Webhook body over the parser's caps, items not read: dropped={}", w.droppedItems());
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, Exception cause)
      throws InfrastructureFailure {
    RecordHeaders headers =
        DeadLetters.headers(
            r.headers().toArray(), r.topic(), r.partition(), r.offset(), reason, cause);
    DeadLetters.truncatedHeader(headers, r.value());
    byte[] key = r.key() == null || r.key().length <= 64 * 1024 ? r.key() : null;
    ProducerRecord<byte[], byte[]> dlq =
        new ProducerRecord<>(
            Topics.WHATSAPP_WEBHOOKS.dlqName(), null, key, DeadLetters.value(r.value()), headers);
    try {
      dlqProducer.send(dlq).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (Exception e) {
      throw new InfrastructureFailure(
          "Cannot dead-letter record " + r.topic() + "-" + r.partition() + "@" + r.offset(), e);
    }
    metrics.deadLetter();
    log.warn(
        "Webhook record dead-lettered: topic={} partition={} offset={} reason={}",
        r.topic(),
        r.partition(),
        r.offset(),
        DeadLetters.firstLine(reason));
  }

  private Duration pollTimeout() {
    long toRetry = retryAtNanos - System.nanoTime();
    if (toRetry > 0 && toRetry < POLL.toNanos()) {
      return Duration.ofNanos(toRetry);
    }
    return POLL;
  }

  private void onWritten() {
    if (failures > 0) {
      log.info("Webhook projection recovered: failedAttempts={}", failures);
    }
    failures = 0;
    retryAtNanos = System.nanoTime();
    if (paused) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void onInfrastructureFailure(InfrastructureFailure e) {
    failures++;
    metrics.failure();
    Duration wait = backoff(failures);
    retryAtNanos = System.nanoTime() + wait.toNanos();
    // keep the group membership while waiting, without piling up more records
    consumer.pause(consumer.assignment());
    paused = true;
    String cause = ErrorTexts.text(String.valueOf(e.getCause()));
    if (failures >= ERROR_AFTER) {
      log.error(
          "Webhook projection keeps failing on the database or the broker, retrying: attempt={}"
              + " retryIn={} records={} error={}",
          failures,
          wait,
          pending.size(),
          cause);
    } else {
      log.warn(
          "Webhook projection failed on the database or the broker, retrying: attempt={}"
              + " retryIn={} records={} error={}",
          failures,
          wait,
          pending.size(),
          cause);
    }
  }

  /** Exponential backoff from 200 ms, doubling per consecutive failure, capped at 30 s. */
  static Duration backoff(int failures) {
    int shift = Math.min(Math.max(failures - 1, 0), 20);
    return Duration.ofMillis(Math.min(RETRY_BASE.toMillis() << shift, RETRY_MAX.toMillis()));
  }

  /** Commits what was polled once nothing is pending; a refused commit only means a replay. */
  private void commit() {
    if (!pending.isEmpty() || !uncommitted) {
      return;
    }
    try {
      consumer.commitSync();
      uncommitted = false;
    } catch (CommitFailedException | RebalanceInProgressException | TimeoutException e) {
      log.warn(
          "Webhook projection commit not accepted, records will be replayed: error={}",
          e.toString());
    }
  }

  private void closeConsumer() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("Webhook consumer did not close cleanly: error={}", e.toString());
    }
    if (loop.healthy()) {
      log.info("Webhook projection closed");
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
