package io.herald.sender.projector;

import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.outcome.DeliveryResult;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.jdbc.SqlFailures;
import io.herald.runtime.jdbc.SqlFailures.Fault;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.sender.metrics.SenderMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code herald.delivery-results} in its own consumer group ({@code <group>-projector})
 * and recomputes the touched schedules' counts in PostgreSQL once per poll batch; offsets are
 * committed only after the batch is written, and a replay recomputes the same numbers. Every {@code
 * sweep} it also re-checks open broadcasts whose {@code total_count} arrived late.
 *
 * <p>Failures are classified per record ({@link SqlFailures}). A record whose content the
 * projection cannot write (unreadable, or a data, integrity or limit error) goes to {@code
 * herald.delivery-results.dlq} and the rest of its batch is written: when the batch statement fails
 * on data, the batch is redone one schedule at a time to find the poison. A database or broker
 * failure keeps the whole batch, pauses fetching and retries with backoff. The loop stops only on
 * an error it cannot classify (a fatal consumer error, an {@link Error}); then it logs why at
 * ERROR, {@link #ready()} turns false and {@code onFatal} tells the app to exit.
 *
 * <p>Thread: {@code herald-projector}, a {@link ServiceLoop}; its backoff is its own (it keeps
 * polling, paused, to stay in the group), so every failure that reaches the loop is fatal.
 */
public final class ResultProjector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResultProjector.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY_BASE = Duration.ofMillis(200);
  private static final Duration RETRY_MAX = Duration.ofSeconds(30);

  /** Consecutive infrastructure failures after which each one is logged at ERROR. */
  private static final int ERROR_AFTER = 10;

  /** The database or the broker failed: the same work is retried later. */
  private static final class InfrastructureFailure extends Exception {
    InfrastructureFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> dlqProducer;
  private final JdbcProjection projection;
  private final SenderMetrics metrics;
  private final Duration sweep;
  private final ServiceLoop loop;
  private final List<PendingResult> pending = new ArrayList<>();
  private final Set<ProjectionTarget> sweepTargets = new LinkedHashSet<>();
  private long lastSweepNanos;
  private int failures;
  private long retryAtNanos;
  private boolean paused;
  private boolean uncommitted;

  public ResultProjector(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> dlqProducer,
      JdbcProjection projection,
      SenderMetrics metrics,
      Duration sweep,
      MeterRegistry registry,
      java.util.function.Consumer<Throwable> onFatal) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.dlqProducer = Objects.requireNonNull(dlqProducer, "dlqProducer");
    this.projection = Objects.requireNonNull(projection, "projection");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.sweep = Objects.requireNonNull(sweep, "sweep");
    this.loop =
        ServiceLoop.named("herald-projector")
            .metrics(registry)
            .setUp(() -> consumer.subscribe(List.of(Topics.DELIVERY_RESULTS.name())))
            .body(this::pollOnce)
            .wakeup(consumer::wakeup)
            .tearDown(this::closeConsumer)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(10))
            .build();
  }

  public ResultProjector start() {
    loop.start();
    return this;
  }

  /** True while the loop runs; false once it stopped on an error (or was closed). */
  public boolean ready() {
    return loop.running() && loop.healthy();
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return loop.failure();
  }

  /** One poll: buffer its records, then write them (and a due sweep) unless backing off. */
  private boolean pollOnce() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      pending.add(PendingResult.read(r));
      uncommitted = true;
    }
    if (System.nanoTime() - retryAtNanos < 0) {
      return false; // backing off after an infrastructure failure
    }
    boolean sweepDue = System.nanoTime() - lastSweepNanos >= sweep.toNanos();
    if (pending.isEmpty() && sweepTargets.isEmpty() && !sweepDue) {
      return false;
    }
    try {
      if (sweepDue) {
        lastSweepNanos = System.nanoTime();
        sweepTargets.addAll(openTargets());
      }
      writePending();
      onWritten();
    } catch (InfrastructureFailure e) {
      onInfrastructureFailure(e);
    }
    commit();
    return true;
  }

  private void closeConsumer() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("Projector consumer did not close cleanly: error={}", e.toString());
    }
    if (loop.healthy()) {
      log.info("Result projector closed");
    }
  }

  private Duration pollTimeout() {
    long toRetry = retryAtNanos - System.nanoTime();
    if (toRetry > 0 && toRetry < POLL.toNanos()) {
      return Duration.ofNanos(toRetry);
    }
    return POLL;
  }

  private List<ProjectionTarget> openTargets() throws InfrastructureFailure {
    try {
      return projection.openTargets();
    } catch (SQLException | RuntimeException e) {
      throw new InfrastructureFailure("open broadcasts and occurrences not read", e);
    }
  }

  /**
   * Writes every pending target in one transaction; when that fails on data, one target at a time,
   * dead-lettering the records whose target cannot be written. Items leave {@link #pending} as soon
   * as they are settled, so a retry after an infrastructure failure neither writes nor dead-letters
   * them twice.
   */
  private void writePending() throws InfrastructureFailure {
    for (Iterator<PendingResult> it = pending.iterator(); it.hasNext(); ) {
      PendingResult item = it.next();
      if (item.unreadable != null) {
        deadLetter(item.record, item.unreadable, item.cause);
        it.remove();
      }
    }
    Map<ProjectionTarget, List<PendingResult>> byTarget = new LinkedHashMap<>();
    for (ProjectionTarget t : sweepTargets) {
      byTarget.put(t, new ArrayList<>());
    }
    for (PendingResult item : pending) {
      if (item.target != null) {
        byTarget.computeIfAbsent(item.target, t -> new ArrayList<>()).add(item);
      }
    }
    try {
      projection.apply(byTarget.keySet(), skips(pending));
    } catch (SQLException | RuntimeException e) {
      rethrowUnlessData(e, byTarget.size());
      log.warn(
          "Projection batch failed on a record's content, writing its schedules one by one:"
              + " targets={} error={}",
          byTarget.size(),
          ErrorTexts.text(e.toString()));
      writeOneByOne(byTarget);
    }
    pending.clear();
    sweepTargets.clear();
  }

  private void writeOneByOne(Map<ProjectionTarget, List<PendingResult>> byTarget)
      throws InfrastructureFailure {
    for (Map.Entry<ProjectionTarget, List<PendingResult>> en : byTarget.entrySet()) {
      try {
        projection.apply(List.of(en.getKey()), skips(en.getValue()));
      } catch (SQLException | RuntimeException e) {
        rethrowUnlessData(e, 1);
        String reason =
            "projection refused the record: "
                + e.getClass().getSimpleName()
                + sqlState(e)
                + ": "
                + e.getMessage();
        if (en.getValue().isEmpty()) {
          log.warn(
              "Open broadcast cannot be projected, skipped until the next sweep: kind={}"
                  + " scheduleId={} error={}",
              en.getKey().kind(),
              en.getKey().scheduleId(),
              ErrorTexts.text(e.toString()));
        }
        for (PendingResult item : en.getValue()) {
          deadLetter(item.record, reason, e);
          pending.remove(item);
        }
      }
      sweepTargets.remove(en.getKey());
      pending.removeAll(en.getValue());
    }
  }

  private static List<DeliveryResult> skips(List<PendingResult> items) {
    List<DeliveryResult> out = new ArrayList<>();
    for (PendingResult item : items) {
      if (item.skip != null) {
        out.add(item.skip);
      }
    }
    return out;
  }

  private static void rethrowUnlessData(Exception e, int targets) throws InfrastructureFailure {
    if (e instanceof WakeupException || e instanceof InterruptException) {
      throw (RuntimeException) e;
    }
    if (SqlFailures.classify(e) == Fault.INFRASTRUCTURE) {
      throw new InfrastructureFailure("projection of " + targets + " targets failed", e);
    }
  }

  private static String sqlState(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
        return " (SQLState " + ((SQLException) t).getSQLState() + ")";
      }
    }
    return "";
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
            Topics.DELIVERY_RESULTS.dlqName(), null, key, DeadLetters.value(r.value()), headers);
    try {
      dlqProducer.send(dlq).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (Exception e) {
      throw new InfrastructureFailure(
          "Cannot dead-letter record " + r.topic() + "-" + r.partition() + "@" + r.offset(), e);
    }
    metrics.projectorDeadLetter();
    log.warn(
        "Delivery result dead-lettered: topic={} partition={} offset={} reason={}",
        r.topic(),
        r.partition(),
        r.offset(),
        DeadLetters.firstLine(reason));
  }

  private void onWritten() {
    if (failures > 0) {
      log.info("Projection recovered: failedAttempts={}", failures);
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
    metrics.projectorFailure();
    Duration wait = backoff(failures);
    retryAtNanos = System.nanoTime() + wait.toNanos();
    // keep the group membership while waiting, without piling up more records
    consumer.pause(consumer.assignment());
    paused = true;
    String cause = ErrorTexts.text(String.valueOf(e.getCause()));
    if (failures >= ERROR_AFTER) {
      log.error(
          "Projection keeps failing on the database or the broker, retrying: attempt={}"
              + " retryIn={} records={} error={}",
          failures,
          wait,
          pending.size(),
          cause);
    } else {
      log.warn(
          "Projection failed on the database or the broker, retrying: attempt={} retryIn={}"
              + " records={} error={}",
          failures,
          wait,
          pending.size(),
          cause);
    }
  }

  /** Exponential backoff from 200 ms, doubling per consecutive failure, capped at 30 s. */
  static Duration backoff(int failures) {
    int shift = Math.min(Math.max(failures - 1, 0), 20);
    long millis = RETRY_BASE.toMillis() << shift;
    return Duration.ofMillis(Math.min(millis, RETRY_MAX.toMillis()));
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
          "Projector commit not accepted, the records will be replayed: error={}", e.toString());
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
