package io.herald.scheduler.cdc;

import io.debezium.engine.ChangeEvent;
import io.herald.contracts.event.ScheduleChange;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records {@link ChangeBatches} hands to the producer, and the wait for Kafka's acknowledgement
 * of them: counts the events, dead letters and lag ({@link CdcMetrics}). Stateless between batches;
 * called on the engine's thread.
 */
final class ChangeSends {

  // The batch's logger: these lines belong to the batch that sent the records.
  private static final Logger log = LoggerFactory.getLogger(ChangeBatches.class);

  private final CdcMetrics metrics;
  private final Clock clock;

  ChangeSends(CdcMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Sends an event (or a rejection stub) and counts it in the events metric. */
  void send(
      Producer<String, byte[]> p,
      List<Sent> sent,
      ChangeEvent<String, String> r,
      String table,
      String op,
      String topic,
      String key,
      Object value,
      byte[] bytes,
      long sourceTsMs,
      boolean stub) {
    Future<RecordMetadata> f = p.send(new ProducerRecord<>(topic, key, bytes));
    sent.add(new Sent(f, r, table, op, topic, key, value, bytes.length, sourceTsMs, stub, false));
    metrics.eventCounter(table, op).increment();
  }

  /** Sends a poison row's raw change to its dead-letter topic. */
  void deadLetter(
      Producer<String, byte[]> p,
      List<Sent> sent,
      ChangeEvent<String, String> r,
      PoisonRows.Source source,
      String reason,
      Exception cause) {
    ProducerRecord<String, byte[]> dl = PoisonRows.deadLetter(source, r.value(), reason, cause);
    String table = RowMapper.TABLES.contains(source.table()) ? source.table() : "unknown";
    sent.add(
        new Sent(
            p.send(dl),
            r,
            table,
            null,
            dl.topic(),
            dl.key(),
            null,
            dl.value().length,
            0,
            false,
            true));
  }

  /**
   * Waits for every send; returns the events the broker refused as too large. A refused dead letter
   * is counted and logged but does not fail the batch (the row is still in PostgreSQL); any other
   * failure does.
   */
  List<Sent> awaitAcks(List<Sent> sends, long deadline) throws InterruptedException {
    List<Sent> refused = new ArrayList<>();
    for (Sent s : sends) {
      try {
        s.future().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof RecordTooLargeException) {
          if (s.deadLetter()) {
            metrics.deadLetterCounter(s.table(), "refused").increment();
            log.error(
                "Dead letter refused as too large, the row stays only in PostgreSQL: "
                    + "topic={} key={} bytes={}",
                s.topic(),
                s.key(),
                s.bytes());
          } else {
            refused.add(s);
          }
          continue;
        }
        throw new CdcException(
            "Kafka did not acknowledge a CDC event; the batch stays unprocessed and is re-read: "
                + cause,
            cause);
      }
      if (s.deadLetter()) {
        metrics.deadLetterCounter(s.table(), "written").increment();
      } else if (s.sourceTsMs() > 0) {
        metrics.lag().record(Math.max(0, clock.millis() - s.sourceTsMs()), TimeUnit.MILLISECONDS);
      }
    }
    return refused;
  }

  /**
   * One record handed to the producer.
   *
   * @param change the Debezium change it came from
   * @param value the event (a {@link ScheduleChange}, ...), null for a dead letter
   * @param stub true for a rejection stub (nothing smaller exists to replace it)
   */
  record Sent(
      Future<RecordMetadata> future,
      ChangeEvent<String, String> change,
      String table,
      String op,
      String topic,
      String key,
      Object value,
      int bytes,
      long sourceTsMs,
      boolean stub,
      boolean deadLetter) {}
}
