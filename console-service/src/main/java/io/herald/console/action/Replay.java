package io.herald.console.action;

import io.herald.console.auth.Principal;
import io.herald.console.read.Db;
import io.herald.console.read.DeadLetterReader.Letter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Replaying a dead letter once: its original bytes and headers (without the {@code herald.dlq.*}
 * ones) back to the topic it came from. The guard is a {@code dead_letter_replays} row inserted in
 * a transaction that stays open while the record is produced (acks=all) and commits only after the
 * broker acknowledged it: a second replay — a double POST, a second console — waits on that row and
 * then finds it, and produces nothing; a failed send rolls the row back, so the replay can be tried
 * again. The one window left: the broker acknowledged and the commit then failed — the row is
 * missing and a later replay sends a second copy, which the consumers' own idempotency (command
 * ids, the ledger) absorbs.
 */
public final class Replay {

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
  private static final String DLQ_HEADER_PREFIX = "herald.dlq.";

  /** The outcome: replayed now, replayed before (when, by whom), or refused (why). */
  public sealed interface Outcome {}

  public record Done(Instant at, String topic) implements Outcome {}

  public record AlreadyReplayed(Instant at, String principal) implements Outcome {}

  public record Refused(String reason) implements Outcome {}

  private final Db db;
  private final Producer<byte[], byte[]> producer;

  public Replay(Db db, Producer<byte[], byte[]> producer) {
    this.db = db;
    this.producer = producer;
  }

  /** When and by whom this dead letter was replayed, if it was. */
  public Optional<AlreadyReplayed> replayed(String topic, int partition, long offset)
      throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT replayed_at, principal FROM dead_letter_replays"
                    + " WHERE dlq_topic = ? AND dlq_partition = ? AND dlq_offset = ?")) {
      ps.setString(1, topic);
      ps.setInt(2, partition);
      ps.setLong(3, offset);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new AlreadyReplayed(rs.getTimestamp(1).toInstant(), rs.getString(2)))
            : Optional.empty();
      }
    }
  }

  /** Why this letter cannot be replayed at all; empty when it can. */
  public static Optional<String> refusal(Letter letter) {
    if (letter.truncated()) {
      return Optional.of(
          "only the start of the original record was kept (header herald.dlq.original-bytes):"
              + " it cannot be replayed");
    }
    if (letter.originalTopic().isEmpty() || letter.originalTopic().get().isBlank()) {
      return Optional.of("the record names no original topic (header herald.dlq.topic)");
    }
    if (letter.originalTopic().get().endsWith(".dlq")) {
      return Optional.of("the original topic is itself a dead-letter topic");
    }
    return Optional.empty();
  }

  public Outcome replay(Principal who, Letter letter) throws SQLException {
    Optional<String> refused = refusal(letter);
    if (refused.isPresent()) {
      return new Refused(refused.get());
    }
    String target = letter.originalTopic().get();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        Instant at;
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO dead_letter_replays (dlq_topic, dlq_partition, dlq_offset, principal)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING replayed_at")) {
          ps.setString(1, letter.dlqTopic());
          ps.setInt(2, letter.partition());
          ps.setLong(3, letter.offset());
          ps.setString(4, who.name());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return replayed(letter.dlqTopic(), letter.partition(), letter.offset())
                  .<Outcome>map(r -> r)
                  .orElse(new Refused("a replay of this record is in progress"));
            }
            at = rs.getTimestamp(1).toInstant();
          }
        }
        Audit.record(c, who, "replay-dead-letter", letter.id(), "to " + target);
        send(target, letter);
        c.commit();
        Audit.logged(who, "replay-dead-letter", letter.id());
        return new Done(at, target);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private void send(String topic, Letter letter) {
    RecordHeaders headers = new RecordHeaders();
    for (Map.Entry<String, byte[]> h : letter.headers()) {
      if (!h.getKey().startsWith(DLQ_HEADER_PREFIX)) {
        headers.add(h.getKey(), h.getValue());
      }
    }
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, letter.key(), letter.value(), headers);
    try {
      producer.send(record).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while replaying to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "the broker did not acknowledge the replay to " + topic + ": " + cause.getMessage(), e);
    }
  }
}
