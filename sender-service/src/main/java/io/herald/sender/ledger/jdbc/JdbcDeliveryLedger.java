package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.DeliveryLedger;
import io.herald.sender.ledger.Fence;
import io.herald.sender.ledger.Finish;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * The ledger on PostgreSQL's {@code deliveries} table (unique on {@code command_id}).
 *
 * <p>Row states: {@code claimed} with {@code claimed_at} set means a transport call may be in
 * flight; {@code claimed} with {@code claimed_at} null means the owner is between two attempts
 * (nothing in flight, safe to continue); {@code sent | failed | skipped | expired | unknown} are
 * final.
 *
 * <p>Claims and finishes are group-committed ({@link GroupCommit}): the claims that lanes queued
 * while the previous claim batch was in flight go in one transaction (one multi-row {@code INSERT …
 * ON CONFLICT DO NOTHING RETURNING}, then, only for ids that already had a row, one {@code SELECT …
 * FOR UPDATE} and the rare re-claim / mark-unknown updates), and the finishes likewise in one
 * multi-row {@code UPDATE … FROM unnest(…)}. Rows are passed as arrays so that every batch size
 * uses the same prepared statement. A claim's future completes after its batch committed, so a
 * transport call never starts on an uncommitted claim; a failed batch fails only its own claims,
 * which wrote nothing. The marks between two attempts (begin, release) are group-committed too
 * ({@link JdbcAttemptMarks}).
 */
public final class JdbcDeliveryLedger implements DeliveryLedger, AutoCloseable {

  /** Largest batch by default: big enough to amortise a commit, small enough to keep it short. */
  public static final int DEFAULT_MAX_BATCH = 500;

  /** One claim as queued. */
  record ClaimRequest(SendCommand command, DeliveryMode mode, Instant now, ClaimOwner owner) {
    ClaimRequest(SendCommand command, DeliveryMode mode, Instant now) {
      this(command, mode, now, ClaimOwner.UNFENCED);
    }
  }

  /** One finish as queued. */
  record FinishRequest(CommandId id, Finish finish, ClaimOwner owner) {
    FinishRequest(CommandId id, Finish finish) {
      this(id, finish, ClaimOwner.UNFENCED);
    }
  }

  /** One rejected command as queued. */
  record RejectRequest(SendCommand command, Finish finish) {}

  private final JdbcLedgerBatches batches;
  private final JdbcRejections rejected;
  private final GroupCommit<ClaimRequest, Claim> claims;
  private final GroupCommit<FinishRequest, Fence> finishes;
  private final GroupCommit<RejectRequest, Boolean> rejections;
  private final JdbcAttemptMarks attemptMarks;

  /** A ledger with the default batch size, no batch metrics and unsupervised batch threads. */
  public JdbcDeliveryLedger(DataSource dataSource) {
    this(dataSource, DEFAULT_MAX_BATCH, GroupCommit.Listener.NONE, GroupCommit.Listener.NONE);
  }

  /** A ledger whose batch threads are unsupervised ({@link GroupCommit.Supervision}). */
  public JdbcDeliveryLedger(
      DataSource dataSource,
      int maxBatch,
      GroupCommit.Listener claimBatches,
      GroupCommit.Listener finishBatches) {
    this(dataSource, maxBatch, claimBatches, finishBatches, GroupCommit.Supervision.unsupervised());
  }

  /**
   * Starts the batch threads ({@code herald-ledger-claims}, {@code herald-ledger-finishes}, {@code
   * herald-ledger-rejections}, {@code herald-ledger-attempts}).
   *
   * @param maxBatch most claims (or finishes) per transaction
   * @param supervision where the batch threads report (loop metrics, a fatal end)
   */
  public JdbcDeliveryLedger(
      DataSource dataSource,
      int maxBatch,
      GroupCommit.Listener claimBatches,
      GroupCommit.Listener finishBatches,
      GroupCommit.Supervision supervision) {
    this.batches = new JdbcLedgerBatches(Objects.requireNonNull(dataSource, "dataSource"));
    this.rejected = new JdbcRejections(dataSource);
    this.claims =
        new GroupCommit<>("ledger-claims", maxBatch, batches::claimAll, claimBatches, supervision);
    this.finishes =
        new GroupCommit<>(
            "ledger-finishes", maxBatch, batches::finishAll, finishBatches, supervision);
    this.rejections =
        new GroupCommit<>(
            "ledger-rejections",
            maxBatch,
            rejected::rejectAll,
            GroupCommit.Listener.NONE,
            supervision);
    this.attemptMarks = new JdbcAttemptMarks(dataSource, maxBatch, supervision);
  }

  @Override
  public CompletableFuture<Claim> claim(
      SendCommand command, DeliveryMode mode, Instant now, ClaimOwner owner) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(owner, "owner");
    return claims.submit(new ClaimRequest(command, mode, now, owner));
  }

  @Override
  public CompletableFuture<Fence> finish(CommandId id, ClaimOwner owner, Finish finish) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(finish, "finish");
    return finishes.submit(new FinishRequest(id, finish, owner));
  }

  @Override
  public CompletableFuture<Boolean> reject(SendCommand command, Finish finish) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(command.commandId(), "command.commandId");
    Objects.requireNonNull(finish, "finish");
    return rejections.submit(new RejectRequest(command, finish));
  }

  /** One batch of rejected commands in one statement (tests call it directly). */
  List<Boolean> rejectAll(List<RejectRequest> batch) throws SQLException {
    return rejected.rejectAll(batch);
  }

  /** One claim batch in one transaction (what the batch thread runs; tests call it directly). */
  List<Claim> claimAll(List<ClaimRequest> batch) throws SQLException {
    return batches.claimAll(batch);
  }

  /** One finish batch in one statement (tests call it directly): true where written. */
  List<Boolean> finishAll(List<FinishRequest> batch) throws SQLException {
    List<Boolean> out = new ArrayList<>(batch.size());
    batches.finishAll(batch).forEach(f -> out.add(f == Fence.HELD));
    return out;
  }

  /** One finish batch in one statement, with each refusal's reason (tests call it directly). */
  List<Fence> fencedFinishAll(List<FinishRequest> batch) throws SQLException {
    return batches.finishAll(batch);
  }

  @Override
  public CompletableFuture<Fence> beginAttempt(CommandId id, ClaimOwner owner, Instant now) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(now, "now");
    return attemptMarks.begin(id, owner, now);
  }

  @Override
  public CompletableFuture<Fence> releaseForRetry(
      CommandId id, ClaimOwner owner, int attempts, String errorCode, String errorMessage) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    return attemptMarks.release(id, owner, attempts, errorCode, errorMessage);
  }

  /** False once a batch thread died ({@link GroupCommit#healthy()}): the sender is not ready. */
  public boolean healthy() {
    return claims.healthy() && finishes.healthy() && rejections.healthy() && attemptMarks.healthy();
  }

  /** Claims and finishes queued but not yet in a batch. */
  public int queued() {
    return claims.queued() + finishes.queued() + rejections.queued() + attemptMarks.queued();
  }

  /**
   * Stops taking work and runs what is queued (claims first: a claim that commits is followed by a
   * finish only if its lane is still running), up to {@code timeout}; anything left fails.
   *
   * @return true when nothing was left
   */
  public boolean close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean claimsDone = claims.close(timeout);
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    boolean finishesDone = finishes.close(left);
    left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    boolean rejectionsDone = rejections.close(left);
    left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    boolean marksDone = attemptMarks.close(left);
    return claimsDone && finishesDone && rejectionsDone && marksDone;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
