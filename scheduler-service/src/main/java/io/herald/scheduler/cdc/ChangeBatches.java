package io.herald.scheduler.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.cdc.ChangeSends.Sent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Debezium batch of the {@link CdcEngine} into Kafka: each change mapped ({@link RowMapper})
 * and produced, poison rows replaced by a rejection stub or dead-lettered ({@link PoisonRows}),
 * every send acknowledged ({@link ChangeSends}) before the batch is marked processed. The per-table
 * CDC metrics are {@link CdcMetrics}. Stateless between batches; called on the engine's thread.
 */
final class ChangeBatches {

  private static final Logger log = LoggerFactory.getLogger(ChangeBatches.class);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  private final ObjectMapper json;
  private final RowMapper mapper;
  private final CdcMetrics metrics;
  private final ChangeSends sends;

  ChangeBatches(ObjectMapper json, Clock clock, MeterRegistry registry, boolean seedCompat) {
    this.json = json;
    this.mapper = new RowMapper(json, seedCompat);
    this.metrics = new CdcMetrics(registry);
    this.sends = new ChangeSends(metrics, clock);
  }

  /**
   * Produces the batch's events, waits for Kafka to acknowledge all of them, and only then marks
   * the records processed. A row whose event cannot be produced as it is (too large, unreadable) is
   * replaced or dead-lettered ({@link PoisonRows}) so the batch still completes; only a failed
   * delivery (timeout, broker down, authorization...) fails the batch unmarked.
   */
  void handle(
      Producer<String, byte[]> p,
      List<ChangeEvent<String, String>> records,
      DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    List<Sent> sent = new ArrayList<>(records.size());
    for (ChangeEvent<String, String> r : records) {
      produce(p, r, sent);
    }
    p.flush();
    long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
    List<Sent> refused = sends.awaitAcks(sent, deadline);
    if (!refused.isEmpty()) {
      // Sent after the whole batch: a replacement must not overtake a later change of its key.
      List<Sent> replacements = new ArrayList<>();
      for (Sent s : refused) {
        replaceRefused(p, s, sent, replacements);
      }
      p.flush();
      List<Sent> refusedAgain =
          sends.awaitAcks(replacements, System.nanoTime() + SEND_TIMEOUT.toNanos());
      if (!refusedAgain.isEmpty()) {
        // A stub is a few hundred bytes: a topic refusing it is misconfigured for every row.
        throw new CdcException(
            "Kafka refused a rejection stub of a few hundred bytes: topic="
                + refusedAgain.get(0).topic()
                + " key="
                + refusedAgain.get(0).key(),
            null);
      }
    }
    for (ChangeEvent<String, String> r : records) {
      committer.markProcessed(r);
    }
    committer.markBatchFinished();
  }

  /** Maps one change and sends what it turned into: its event, a stub and/or a dead letter. */
  private void produce(Producer<String, byte[]> p, ChangeEvent<String, String> r, List<Sent> sent) {
    CdcMapping mapping;
    try {
      mapping = mapper.map(r.value());
    } catch (RuntimeException e) {
      // The mapper is built not to throw; if it does, one bad row must not stop the stream.
      unreadable(p, r, e, sent);
      return;
    }
    if (mapping instanceof CdcMapping.Emit<?> emit) {
      byte[] value;
      try {
        value = emit.serializedValue();
      } catch (RuntimeException e) {
        unreadable(p, r, e, sent);
        return;
      }
      if (emit.cutValues() > 0) {
        metrics.cutCounter(emit.table()).increment(emit.cutValues());
      }
      if (value.length > Limits.MAX_DEFINITION_BYTES) {
        tooLarge(p, r, emit, value.length, sent);
        return;
      }
      sends.send(
          p,
          sent,
          r,
          emit.table(),
          emit.op(),
          emit.topic().name(),
          emit.key(),
          emit.value(),
          value,
          emit.sourceTsMs(),
          false);
      if (log.isDebugEnabled()) {
        log.debug(
            "CDC event produced: table={} op={} topic={} key={}",
            emit.table(),
            emit.op(),
            emit.topic().name(),
            emit.key());
      }
    } else if (mapping instanceof CdcMapping.StateOnly stateOnly) {
      metrics.droppedCounter(stateOnly.table()).increment();
      log.debug(
          "CDC update dropped, only state columns changed: table={} columns={}",
          stateOnly.table(),
          stateOnly.changedColumns());
    } else if (mapping instanceof CdcMapping.Ignored ignored) {
      log.debug("CDC change ignored: table={} reason={}", ignored.table(), ignored.reason());
    }
  }

  /**
   * An event over {@link Limits#MAX_DEFINITION_BYTES}: a definition goes out as a rejection stub
   * (the user sees the row invalid, with the size), a contact or device as a dead letter.
   */
  private void tooLarge(
      Producer<String, byte[]> p,
      ChangeEvent<String, String> r,
      CdcMapping.Emit<?> emit,
      int bytes,
      List<Sent> sent) {
    metrics.poisonCounter(emit.table(), "too_large").increment();
    if (emit.value() instanceof ScheduleChange change) {
      log.warn(
          "Schedule definition too large, sent as rejected: table={} key={} bytes={} "
              + "limit={} sourceVersion={}",
          emit.table(),
          emit.key(),
          bytes,
          Limits.MAX_DEFINITION_BYTES,
          change.sourceVersion());
      ScheduleChange stub = PoisonRows.stub(change, PoisonRows.tooLargeError(bytes));
      sends.send(
          p,
          sent,
          r,
          emit.table(),
          emit.op(),
          emit.topic().name(),
          emit.key(),
          stub,
          Topics.SCHEDULE_CHANGES
              .valueSerde()
              .serializer()
              .serialize(Topics.SCHEDULE_CHANGES.name(), stub),
          emit.sourceTsMs(),
          true);
    } else {
      PoisonRows.Source source = PoisonRows.source(json, r.value(), r.key());
      log.warn(
          "CDC event too large, dead-lettered: table={} key={} bytes={} limit={} lsn={}",
          emit.table(),
          emit.key(),
          bytes,
          Limits.MAX_DEFINITION_BYTES,
          source.lsn());
      sends.deadLetter(
          p,
          sent,
          r,
          source,
          String.format(
              Locale.ROOT,
              "event too large: %,d bytes, limit %,d",
              bytes,
              Limits.MAX_DEFINITION_BYTES),
          null);
    }
  }

  /**
   * A change the mapper or the serializer could not handle: dead-lettered as raw Debezium JSON, and
   * for a definition also a rejection stub, so the user learns the row was not taken.
   */
  private void unreadable(
      Producer<String, byte[]> p,
      ChangeEvent<String, String> r,
      RuntimeException e,
      List<Sent> sent) {
    metrics.mappingFailures().increment();
    PoisonRows.Source source = PoisonRows.source(json, r.value(), r.key());
    String table = RowMapper.TABLES.contains(source.table()) ? source.table() : "unknown";
    metrics.poisonCounter(table, "unreadable").increment();
    // The exception's message may quote row content: only its class is logged; the dead letter
    // keeps the first line for the operator.
    log.error(
        "CDC change could not be read, dead-lettered: table={} key={} lsn={} exception={}",
        table,
        source.eventKey(),
        source.lsn(),
        e.getClass().getName());
    String error = PoisonRows.unreadableError(e);
    ScheduleChange stub = PoisonRows.unreadable(source, error);
    if (stub != null) {
      String op = opName(source.op());
      sends.send(
          p,
          sent,
          r,
          table,
          op,
          Topics.SCHEDULE_CHANGES.name(),
          stub.scheduleKey(),
          stub,
          Topics.SCHEDULE_CHANGES
              .valueSerde()
              .serializer()
              .serialize(Topics.SCHEDULE_CHANGES.name(), stub),
          0,
          true);
    }
    sends.deadLetter(p, sent, r, source, error, e);
  }

  /**
   * A record the broker refused as too large although it passed the size check (a topic's {@code
   * max.message.bytes} set lower): a definition is replaced by a stub unless a later change of the
   * same key in this batch already superseded it; a contact or device is dead-lettered.
   */
  private void replaceRefused(
      Producer<String, byte[]> p, Sent s, List<Sent> batch, List<Sent> replacements) {
    if (s.stub()) {
      replacements.add(s); // reported by the caller: nothing smaller to send
      return;
    }
    metrics.poisonCounter(s.table(), "too_large").increment();
    if (s.value() instanceof ScheduleChange change) {
      boolean superseded = false;
      for (int i = batch.indexOf(s) + 1; i < batch.size(); i++) {
        Sent later = batch.get(i);
        superseded |=
            !later.deadLetter()
                && later.topic().equals(s.topic())
                && Objects.equals(later.key(), s.key());
      }
      log.warn(
          "Kafka refused a schedule definition as too large, {}: topic={} key={} bytes={}",
          superseded ? "a later change of the key replaces it" : "sent as rejected",
          s.topic(),
          s.key(),
          s.bytes());
      if (!superseded) {
        ScheduleChange stub = PoisonRows.stub(change, PoisonRows.refusedError(s.bytes()));
        sends.send(
            p,
            replacements,
            s.change(),
            s.table(),
            s.op(),
            s.topic(),
            s.key(),
            stub,
            Topics.SCHEDULE_CHANGES
                .valueSerde()
                .serializer()
                .serialize(Topics.SCHEDULE_CHANGES.name(), stub),
            s.sourceTsMs(),
            true);
      }
    } else {
      PoisonRows.Source source = PoisonRows.source(json, s.change().value(), s.change().key());
      log.warn(
          "Kafka refused a CDC event as too large, dead-lettered: topic={} key={} bytes={}",
          s.topic(),
          s.key(),
          s.bytes());
      sends.deadLetter(
          p,
          replacements,
          s.change(),
          source,
          String.format(
              Locale.ROOT, "event too large for topic %s: %,d bytes", s.topic(), s.bytes()),
          null);
    }
  }

  /** Debezium's op code as the events metric names it. */
  private static String opName(String code) {
    if (code == null) {
      return "update";
    }
    switch (code) {
      case "c":
        return "create";
      case "r":
        return "read";
      case "d":
        return "delete";
      default:
        return "update";
    }
  }
}
