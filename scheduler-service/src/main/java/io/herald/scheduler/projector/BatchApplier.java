package io.herald.scheduler.projector;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.jdbc.JdbcTimeouts;
import io.herald.runtime.jdbc.SqlFailures;
import io.herald.runtime.jdbc.SqlFailures.Fault;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one poll's records of the {@link ScheduleStateProjector} to PostgreSQL: in one
 * transaction, or record by record when one of them is at fault, dead-lettering the poison record
 * and marking its row ({@link SqlFailures} decides whose fault a failure is). Owns the JDBC
 * connection and the pending dead letters; used only from the projector's thread.
 */
final class BatchApplier {

  private static final Logger log = LoggerFactory.getLogger(BatchApplier.class);

  /** Record results of a dead-lettered record. */
  static final String UNREADABLE = "unreadable";

  static final String UNWRITABLE = "unwritable";

  /** Prefix of the last_error a row gets when a decision for it could not be recorded. */
  static final String UNRECORDED_PREFIX = "state could not be recorded: ";

  private final ProjectorConfig config;
  private final Producer<byte[], byte[]> dlqProducer;
  private final StateWriter writer = new StateWriter();
  private final List<Future<RecordMetadata>> dlqSends = new ArrayList<>();
  private Connection connection;

  BatchApplier(ProjectorConfig config, Producer<byte[], byte[]> dlqProducer) {
    this.config = config;
    this.dlqProducer = dlqProducer;
  }

  /**
   * After a failed batch or at the end: forgets unacknowledged dead letters, drops the connection.
   */
  void discard() {
    dlqSends.clear();
    closeConnection();
  }

  /**
   * Applies one poll's records in one transaction; when one of them is the record's fault, rolls
   * back and applies them one by one instead. Returns each record's result, in poll order.
   *
   * @throws SQLException infrastructure: nothing of the batch may be considered done
   */
  List<String> apply(ConsumerRecords<byte[], byte[]> records) throws SQLException {
    Connection c = connection();
    List<String> results = new ArrayList<>(records.count());
    try {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        results.add(applyOne(c, r));
      }
      c.commit();
      return results;
    } catch (RecordFault f) {
      rollback(c);
      log.warn(
          "Projector batch holds a record it cannot write, applying it record by record:"
              + " group={} records={} topic={} partition={} offset={}",
          config.groupId(),
          records.count(),
          f.record.topic(),
          f.record.partition(),
          f.record.offset());
    } catch (SQLException e) {
      rollback(c);
      if (SqlFailures.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      // Refused at commit (a deferred check): which record is not known, so find it.
      log.warn(
          "Projector batch refused at commit, applying it record by record: group={}"
              + " records={} reason={}",
          config.groupId(),
          records.count(),
          reason(e));
    } catch (RuntimeException | Error e) {
      rollback(c);
      throw e;
    }
    return applyOneByOne(c, records);
  }

  /** Each record in its own transaction; a poison record is dead-lettered and its row marked. */
  private List<String> applyOneByOne(Connection c, ConsumerRecords<byte[], byte[]> records)
      throws SQLException {
    List<String> results = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      RecordFault fault;
      try {
        String result = applyOne(c, r);
        commitRecord(c, r);
        results.add(result);
        continue;
      } catch (RecordFault f) {
        fault = f;
      } catch (SQLException | RuntimeException | Error e) {
        rollback(c);
        throw e;
      }
      rollback(c);
      log.error(
          "Projector dead-lettered a record it cannot {}: topic={} partition={} offset={}"
              + " key={} reason={}",
          fault.result.equals(UNREADABLE) ? "read" : "write",
          r.topic(),
          r.partition(),
          r.offset(),
          ErrorTexts.clip(key(r), Limits.SCHEDULE_KEY_MAX_CHARS),
          fault.reason);
      markRow(c, fault);
      deadLetter(r, fault.dlqReason(), fault.cause);
      results.add(fault.result);
    }
    return results;
  }

  private void commitRecord(Connection c, ConsumerRecord<byte[], byte[]> r)
      throws SQLException, RecordFault {
    try {
      c.commit();
    } catch (SQLException e) {
      if (SqlFailures.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      throw RecordFault.unwritable(r, null, null, e);
    }
  }

  /**
   * Applies one record on {@code c} without committing.
   *
   * @throws RecordFault the record's content is at fault (classified by {@link SqlFailures}); the
   *     transaction must be rolled back
   * @throws SQLException infrastructure
   */
  private String applyOne(Connection c, ConsumerRecord<byte[], byte[]> r)
      throws SQLException, RecordFault {
    if (r.value() == null) {
      return "noop"; // tombstone of the compacted states topic: the schedule is gone
    }
    Instant fallbackAt = Instant.ofEpochMilli(Math.max(0, r.timestamp()));
    String scheduleKey = null;
    ScheduleKind kind = null;
    StateWriter.Result result;
    try {
      if (r.topic().equals(Topics.SCHEDULE_STATES.name())) {
        ScheduleState s =
            Topics.SCHEDULE_STATES.valueSerde().deserializer().deserialize(r.topic(), r.value());
        scheduleKey = s.scheduleKey();
        kind = s.kind();
        result = writer.state(c, s, fallbackAt);
      } else if (r.topic().equals(Topics.OCCURRENCES.name())) {
        Occurrence o =
            Topics.OCCURRENCES.valueSerde().deserializer().deserialize(r.topic(), r.value());
        scheduleKey = o.scheduleKey();
        kind = o.kind();
        result = writer.occurrence(c, o, fallbackAt);
      } else if (r.topic().equals(Topics.SCHEDULE_ERRORS.name())) {
        ScheduleError e =
            Topics.SCHEDULE_ERRORS.valueSerde().deserializer().deserialize(r.topic(), r.value());
        scheduleKey = e.scheduleKey();
        kind = e.kind();
        result = writer.error(c, e, fallbackAt);
      } else {
        return "skipped";
      }
    } catch (SerializationException e) {
      throw RecordFault.unreadable(r, e);
    } catch (SQLException | RuntimeException e) {
      if (SqlFailures.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      throw RecordFault.unwritable(r, scheduleKey, kind, e);
    }
    if (result == StateWriter.Result.SKIPPED) {
      log.debug(
          "Projector skipped a record naming no row: topic={} partition={} offset={} key={}",
          r.topic(),
          r.partition(),
          r.offset(),
          ErrorTexts.clip(key(r), Limits.SCHEDULE_KEY_MAX_CHARS));
    }
    return result.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Shows on the poison record's row, when its key names one, that a decision could not be
   * recorded; in its own transaction. If the database refuses even that, the dead letter is all
   * that remains.
   *
   * @throws SQLException infrastructure: the batch is retried, the record with it
   */
  private void markRow(Connection c, RecordFault f) throws SQLException {
    ConsumerRecord<byte[], byte[]> r = f.record;
    String scheduleKey = f.scheduleKey != null ? f.scheduleKey : key(r);
    UUID id = StateWriter.idOf(scheduleKey);
    ScheduleKind kind = StateWriter.kindOf(f.kind, scheduleKey);
    if (id == null || kind == null) {
      return;
    }
    Instant at = Instant.ofEpochMilli(Math.max(0, r.timestamp()));
    try {
      writer.unrecorded(c, kind, id, UNRECORDED_PREFIX + f.reason, at);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(c);
      if (SqlFailures.classify(e) == Fault.INFRASTRUCTURE) {
        throw e;
      }
      log.warn(
          "Projector could not mark the row of a dead-lettered record: topic={}"
              + " partition={} offset={} reason={}",
          r.topic(),
          r.partition(),
          r.offset(),
          reason(e));
    }
  }

  /**
   * A one-line reason for a row's last_error, a dead letter's header and the logs: {@link
   * SqlFailures#summary}, bounded and cleaned by {@link ErrorTexts#reason}.
   */
  static String reason(Throwable thrown) {
    return ErrorTexts.reason(SqlFailures.summary(thrown));
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("Rollback failed on a broken connection", e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties p = JdbcTimeouts.with(config.jdbcUser(), config.jdbcPassword());
      p.setProperty("ApplicationName", config.applicationId() + "-projector");
      connection = DriverManager.getConnection(config.jdbcUrl(), p);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("Ignoring failure to close a projector connection", e);
      }
      connection = null;
    }
  }

  /**
   * The raw record to {@code <topic>.dlq} (its value cut to {@link
   * Limits#MAX_DEAD_LETTER_VALUE_BYTES}), its coordinates and the reason in headers.
   */
  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, Exception cause) {
    RecordHeaders headers =
        DeadLetters.headers(
            r.headers().toArray(), r.topic(), r.partition(), r.offset(), reason, cause);
    DeadLetters.truncatedHeader(headers, r.value());
    dlqSends.add(
        dlqProducer.send(
            new ProducerRecord<>(
                r.topic() + ".dlq", null, r.key(), DeadLetters.value(r.value()), headers)));
  }

  /** Offsets move past a dead-lettered record only once the dead-letter topic has it. */
  void awaitDeadLetters() {
    try {
      for (Future<RecordMetadata> f : dlqSends) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while dead-lettering", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Dead-letter topic did not acknowledge: " + e, e);
    } finally {
      dlqSends.clear();
    }
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
  }

  /**
   * A record whose content is at fault: it fails the same way on every attempt. Thrown by {@link
   * #applyOne} (the transaction must be rolled back), handled by {@link #applyOneByOne}.
   */
  private static final class RecordFault extends Exception {
    private static final long serialVersionUID = 1L;

    final transient ConsumerRecord<byte[], byte[]> record;

    /** {@link #UNREADABLE} or {@link #UNWRITABLE}. */
    final String result;

    /** The key and kind the record's value names, when it could be read; else null. */
    final String scheduleKey;

    final transient ScheduleKind kind;
    final Exception cause;

    /** One line, bounded ({@link BatchApplier#reason}). */
    final String reason;

    private RecordFault(
        ConsumerRecord<byte[], byte[]> record,
        String result,
        String scheduleKey,
        ScheduleKind kind,
        Exception cause) {
      super(reason(cause), cause, false, false);
      this.record = record;
      this.result = result;
      this.scheduleKey = scheduleKey;
      this.kind = kind;
      this.cause = cause;
      this.reason = getMessage();
    }

    static RecordFault unreadable(ConsumerRecord<byte[], byte[]> r, Exception cause) {
      return new RecordFault(r, UNREADABLE, null, null, cause);
    }

    static RecordFault unwritable(
        ConsumerRecord<byte[], byte[]> r, String scheduleKey, ScheduleKind kind, Exception cause) {
      return new RecordFault(r, UNWRITABLE, scheduleKey, kind, cause);
    }

    /** The dead letter's reason header. */
    String dlqReason() {
      return (result.equals(UNREADABLE) ? "unreadable record: " : UNRECORDED_PREFIX) + reason;
    }
  }
}
