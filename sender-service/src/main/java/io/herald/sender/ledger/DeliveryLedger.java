package io.herald.sender.ledger;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.DeliveryMode;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The claim-before-send ledger (port). A command id is claimed before the transport is called and
 * finished after; an id that an earlier owner claimed and never finished is never silently resent
 * in {@link DeliveryMode#AT_MOST_ONCE}. Implementations are thread-safe.
 *
 * <p>Every method answers asynchronously, so that a lane never holds a thread on the database and
 * an implementation can commit the claims (and the finishes, the attempt marks) of many lanes
 * together. A future completes only after the transaction holding its write has committed, and
 * fails with {@link LedgerException} when it did not; a failed claim or finish wrote nothing and
 * may be tried again. Dependent stages may run on the implementation's own thread: hand further
 * work to another executor.
 *
 * <p>Fencing (ADR 0017): a claim records its {@link ClaimOwner}; it is refused ({@link
 * Claim.Kind#LOST}) when the owner's partition epoch is not current, and every later write of the
 * row answers a {@link Fence}: refused when the row's owner is no longer the caller (a new owner
 * took it over) or, for a begin, when the caller's partition epoch is not current. The overloads
 * without an owner use {@link ClaimOwner#UNFENCED} (tools and ledger tests only).
 */
public interface DeliveryLedger {

  /**
   * Claims {@code command}'s id for a transport call, in one transaction: insert-if-absent, then
   * decide from the existing row.
   *
   * <ul>
   *   <li>no row: {@link Claim.Kind#CLAIMED} with 0 attempts;
   *   <li>sent / failed / skipped / expired: {@link Claim.Kind#DUPLICATE};
   *   <li>claimed and released between two attempts: {@link Claim.Kind#CLAIMED}, continuing the
   *       attempt count;
   *   <li>claimed with a call possibly in flight, or unknown: in at-most-once, {@link
   *       Claim.Kind#UNKNOWN} (the row becomes {@code unknown} the first time) or {@link
   *       Claim.Kind#DUPLICATE} when it already was; in at-least-once, {@link Claim.Kind#CLAIMED}.
   *   <li>the owner's partition epoch is not current: {@link Claim.Kind#LOST}, nothing written.
   * </ul>
   *
   * A claim that decides (claimed, or marked unknown) makes {@code owner} the row's owner: an
   * earlier owner's later writes are refused.
   */
  CompletableFuture<Claim> claim(
      SendCommand command, DeliveryMode mode, Instant now, ClaimOwner owner);

  /** {@link #claim(SendCommand, DeliveryMode, Instant, ClaimOwner)} unfenced. */
  default CompletableFuture<Claim> claim(SendCommand command, DeliveryMode mode, Instant now) {
    return claim(command, mode, now, ClaimOwner.UNFENCED);
  }

  /**
   * Marks the start of another attempt of an id this owner claimed and released: a crash from now
   * on leaves it unknown. Completes once the mark committed: {@link Fence#HELD}, or the refusal
   * (the id is no longer claimed by {@code owner}, or its partition epoch is not current); fails
   * with {@link LedgerException} when nothing was written.
   */
  CompletableFuture<Fence> beginAttempt(CommandId id, ClaimOwner owner, Instant now);

  /** Unfenced begin: true when the id was still claimed. */
  default CompletableFuture<Boolean> beginAttempt(CommandId id, Instant now) {
    return beginAttempt(id, ClaimOwner.UNFENCED, now).thenApply(f -> f == Fence.HELD);
  }

  /**
   * A transient failure: the id stays claimed but no call is in flight until the next attempt.
   * Completes once the release committed; fails with {@link LedgerException} when nothing was
   * written (the id then keeps its {@code claimed_at}: a crash before the next attempt reports it
   * unknown, the conservative side). Refused when {@code owner} no longer owns the row.
   */
  CompletableFuture<Fence> releaseForRetry(
      CommandId id, ClaimOwner owner, int attempts, String errorCode, String errorMessage);

  /** Unfenced release. */
  default CompletableFuture<Void> releaseForRetry(
      CommandId id, int attempts, String errorCode, String errorMessage) {
    return releaseForRetry(id, ClaimOwner.UNFENCED, attempts, errorCode, errorMessage)
        .thenApply(f -> null);
  }

  /**
   * Records the final outcome of an id {@code owner} claimed: {@link Fence#HELD} when written,
   * {@link Fence#ALREADY_FINAL} when the row is missing or already final under this owner, else the
   * refusal (another owner took the row over: its word stands, even {@code unknown}).
   */
  CompletableFuture<Fence> finish(CommandId id, ClaimOwner owner, Finish finish);

  /** Unfenced finish: true when written, false when the row is missing or already final. */
  default CompletableFuture<Boolean> finish(CommandId id, Finish finish) {
    return finish(id, ClaimOwner.UNFENCED, finish).thenApply(f -> f == Fence.HELD);
  }

  /**
   * Records a command rejected before any claim (its content is invalid, it is never sent) with
   * {@code finish} (a failed outcome), unless its id already has a row. Fields that cannot be
   * stored as they are (over their bound, control characters, not a uuid, a year PostgreSQL
   * refuses) are left null, so the write cannot fail on the content that made the command invalid.
   *
   * @param command a command with a usable id: non-blank, within {@code Limits.ID_MAX_CHARS}, no
   *     control characters
   * @return true when the row was written, false when the id already had one
   */
  CompletableFuture<Boolean> reject(SendCommand command, Finish finish);
}
