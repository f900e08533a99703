package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.Fence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
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

  // a begin starts a call: it needs the row's owner AND the owner's partition epoch to be current
  // (the epoch row locked FOR SHARE, so an assignment's bump waits for it); a release only the row
  private static final String BEGIN_ATTEMPT =
      "UPDATE deliveries SET claimed_at = ? WHERE command_id = ? AND status = 'claimed'"
          + " AND claimed_by IS NOT DISTINCT FROM ? AND claim_epoch IS NOT DISTINCT FROM ?"
          + " AND (?::text IS NULL OR EXISTS (SELECT 1 FROM sender_partition_epochs e"
          + " WHERE e.consumer_group = ? AND e.partition = ? AND e.epoch = ? FOR SHARE))";
  private static final String RELEASE =
      "UPDATE deliveries SET claimed_at = NULL, attempts = ?, error_code = ?, error_message = ?"
          + " WHERE command_id = ? AND status = 'claimed'"
          + " AND claimed_by IS NOT DISTINCT FROM ? AND claim_epoch IS NOT DISTINCT FROM ?";

  /** One mark as queued: a begin ({@code now} set) or a release ({@code now} null). */
  record Mark(
      CommandId id,
      ClaimOwner owner,
      Instant now,
      int attempts,
      String errorCode,
      String errorMessage) {
    boolean begin() {
      return now != null;
    }
  }

  private final DataSource dataSource;
  private final GroupCommit<Mark, Fence> marks;

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

  /** {@link Fence#HELD} when the id was still {@code owner}'s (the attempt may go on). */
  CompletableFuture<Fence> begin(CommandId id, ClaimOwner owner, Instant now) {
    return marks.submit(new Mark(id, owner, now, 0, null, null));
  }

  CompletableFuture<Fence> release(
      CommandId id, ClaimOwner owner, int attempts, String errorCode, String errorMessage) {
    return marks.submit(new Mark(id, owner, null, attempts, errorCode, errorMessage));
  }

  /** One batch in one transaction (what the batch thread runs). */
  List<Fence> markAll(List<Mark> batch) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement begin = c.prepareStatement(BEGIN_ATTEMPT);
        PreparedStatement release = c.prepareStatement(RELEASE)) {
      c.setAutoCommit(false);
      List<Mark> begins = new ArrayList<>();
      List<Mark> releases = new ArrayList<>();
      for (Mark m : batch) {
        ClaimOwner o = m.owner();
        if (m.begin()) {
          begin.setTimestamp(1, SqlValues.ts(m.now()));
          begin.setString(2, m.id().value());
          begin.setString(3, o.claimedBy());
          begin.setObject(4, o.claimEpoch(), Types.BIGINT);
          begin.setString(5, o.group());
          begin.setString(6, o.group());
          begin.setInt(7, o.partition());
          begin.setLong(8, o.epoch());
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
          release.setString(5, o.claimedBy());
          release.setObject(6, o.claimEpoch(), Types.BIGINT);
          release.addBatch();
          releases.add(m);
        }
      }
      try {
        int[] began = begins.isEmpty() ? new int[0] : begin.executeBatch();
        int[] released = releases.isEmpty() ? new int[0] : release.executeBatch();
        List<JdbcFences.Refused> refused = new ArrayList<>();
        List<Boolean> written = new ArrayList<>(batch.size());
        int nextBegin = 0;
        int nextRelease = 0;
        for (Mark m : batch) {
          boolean ok = m.begin() ? began[nextBegin++] == 1 : released[nextRelease++] == 1;
          written.add(ok);
          if (!ok) {
            refused.add(new JdbcFences.Refused(m.id().value(), m.owner()));
          }
        }
        List<Fence> why = JdbcFences.classify(c, refused);
        c.commit();
        List<Fence> out = new ArrayList<>(batch.size());
        int next = 0;
        for (boolean ok : written) {
          out.add(ok ? Fence.HELD : why.get(next++));
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
