package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * The marks between two attempts of a claimed id, group-committed like claims and finishes: {@code
 * claimed_at} set when an attempt begins (a crash from then on leaves the id unknown), cleared when
 * a transient failure releases it. The begins and releases that lanes queued while the previous
 * batch was in flight go in one transaction (a JDBC batch per kind), on the batch thread {@code
 * herald-ledger-attempts}, so no lane thread waits on the database.
 *
 * <p>A lane never has a begin and a release of the same id queued at once (it waits for each), so
 * the order inside a batch does not matter.
 */
final class JdbcAttemptMarks implements AutoCloseable {

  private static final String BEGIN_ATTEMPT =
      "UPDATE deliveries SET claimed_at = ? WHERE command_id = ? AND status = 'claimed'";
  private static final String RELEASE =
      "UPDATE deliveries SET claimed_at = NULL, attempts = ?, error_code = ?, error_message = ?"
          + " WHERE command_id = ? AND status = 'claimed'";

  /** One mark as queued: a begin ({@code now} set) or a release ({@code now} null). */
  record Mark(CommandId id, Instant now, int attempts, String errorCode, String errorMessage) {
    boolean begin() {
      return now != null;
    }
  }

  private final DataSource dataSource;
  private final GroupCommit<Mark, Boolean> marks;

  JdbcAttemptMarks(DataSource dataSource, int maxBatch, GroupCommit.Supervision supervision) {
    this.dataSource = dataSource;
    this.marks =
        new GroupCommit<>(
            "ledger-attempts", maxBatch, this::markAll, GroupCommit.Listener.NONE, supervision);
  }

  /** False once the batch thread died. */
  boolean healthy() {
    return marks.healthy();
  }

  /** True when the id was still claimed (the attempt may go on). */
  CompletableFuture<Boolean> begin(CommandId id, Instant now) {
    return marks.submit(new Mark(id, now, 0, null, null));
  }

  CompletableFuture<Void> release(
      CommandId id, int attempts, String errorCode, String errorMessage) {
    return marks
        .submit(new Mark(id, null, attempts, errorCode, errorMessage))
        .thenApply(updated -> null);
  }

  /** One batch in one transaction (what the batch thread runs). */
  List<Boolean> markAll(List<Mark> batch) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement begin = c.prepareStatement(BEGIN_ATTEMPT);
        PreparedStatement release = c.prepareStatement(RELEASE)) {
      c.setAutoCommit(false);
      List<Mark> begins = new ArrayList<>();
      boolean releases = false;
      for (Mark m : batch) {
        if (m.begin()) {
          begin.setTimestamp(1, SqlValues.ts(m.now()));
          begin.setString(2, m.id().value());
          begin.addBatch();
          begins.add(m);
        } else {
          release.setInt(1, m.attempts());
          release.setString(
              2,
              m.errorCode() == null
                  ? null
                  : ErrorTexts.clip(m.errorCode(), Limits.STATUS_MAX_CHARS * 2));
          release.setString(3, m.errorMessage() == null ? null : ErrorTexts.text(m.errorMessage()));
          release.setString(4, m.id().value());
          release.addBatch();
          releases = true;
        }
      }
      try {
        int[] began = begins.isEmpty() ? new int[0] : begin.executeBatch();
        if (releases) {
          release.executeBatch();
        }
        c.commit();
        List<Boolean> out = new ArrayList<>(batch.size());
        int next = 0;
        for (Mark m : batch) {
          out.add(m.begin() ? began[next++] == 1 : Boolean.TRUE);
        }
        return out;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw e;
      }
    }
  }

  int queued() {
    return marks.queued();
  }

  boolean close(Duration timeout) {
    return marks.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
