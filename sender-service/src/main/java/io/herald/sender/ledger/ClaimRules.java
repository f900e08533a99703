package io.herald.sender.ledger;

import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.delivery.DeliveryMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a claim decides from the {@code deliveries} row it meets, for a whole batch of claims. Pure:
 * the JDBC adapter ({@code ledger.jdbc}) feeds it what the insert and the locked rows said and
 * writes back what it asks for, so the rules are tested without a database. Public for that adapter
 * only: the lanes go through {@link DeliveryLedger}.
 *
 * <p>A batch is decided as if its claims had run one after the other in batch order: a command id
 * that appears twice meets, the second time, the row its first claim left (claimed with a call
 * possibly in flight), exactly as two claims in two sequential transactions would.
 */
public final class ClaimRules {

  private ClaimRules() {}

  /**
   * A {@code deliveries} row as a claim sees it.
   *
   * @param claimedAt set while a call may be in flight; null between two attempts or when final
   */
  public record Row(String status, int attempts, Instant claimedAt) {}

  /** The write a decision needs, besides the insert. */
  public enum Write {
    NONE,
    /** {@code status = 'claimed', claimed_at = now, finished_at = null}. */
    RECLAIM,
    /** {@code status = 'unknown'}: an earlier owner never confirmed its call. */
    MARK_UNKNOWN
  }

  /** One claim of a batch, as the ledger received it. */
  public record Request(String commandId, DeliveryMode mode, Instant now) {}

  /**
   * The answer to one claim and the write it needs.
   *
   * @param unconfirmedSince for {@link Write#MARK_UNKNOWN}: when the unconfirmed claim was made
   */
  public record Decision(Claim claim, Write write, Instant unconfirmedSince) {}

  /**
   * Decides every claim of a batch.
   *
   * @param inserted command ids the batch's insert created (each inserted once, for the first of
   *     its claims)
   * @param existing rows found (and locked) for the ids the insert did not create; an id missing
   *     here was deleted between the two statements
   */
  public static List<Decision> decide(
      List<Request> batch, Set<String> inserted, Map<String, Row> existing) {
    Map<String, Row> state = new HashMap<>(existing);
    List<Decision> out = new ArrayList<>(batch.size());
    for (Request r : batch) {
      Row row = state.get(r.commandId());
      if (row == null && inserted.contains(r.commandId())) {
        out.add(new Decision(Claim.claimed(0), Write.NONE, null));
        state.put(r.commandId(), new Row("claimed", 0, r.now()));
        continue;
      }
      Decision d = decideOne(row, r.mode());
      out.add(d);
      if (row != null) {
        state.put(r.commandId(), after(row, d, r.now()));
      }
    }
    return out;
  }

  /** One claim meeting {@code row} (null: the row disappeared, an operator's doing). */
  static Decision decideOne(Row row, DeliveryMode mode) {
    if (row == null) {
      return new Decision(Claim.duplicate(DeliveryStatus.SKIPPED), Write.NONE, null);
    }
    boolean claimed = "claimed".equals(row.status());
    boolean inFlight = claimed && row.claimedAt() != null;
    boolean between = claimed && row.claimedAt() == null;
    if (between
        || (mode == DeliveryMode.AT_LEAST_ONCE && (inFlight || "unknown".equals(row.status())))) {
      return new Decision(Claim.claimed(row.attempts()), Write.RECLAIM, null);
    }
    if (inFlight) {
      return new Decision(
          Claim.unknown(Math.max(row.attempts(), 1)), Write.MARK_UNKNOWN, row.claimedAt());
    }
    return new Decision(Claim.duplicate(DeliveryStatus.fromWire(row.status())), Write.NONE, null);
  }

  /**
   * True when {@code owner} may claim: unfenced, or its epoch is its partition's current one.
   *
   * @param partitionEpoch the partition's current epoch, null when it was never assigned
   */
  public static boolean current(ClaimOwner owner, Long partitionEpoch) {
    return !owner.fenced() || (partitionEpoch != null && partitionEpoch == owner.epoch());
  }

  /**
   * Why a write of a claimed row by {@code me} changed nothing (ADR 0017): the row is final under
   * {@code me}'s own claim; or {@code me}'s partition moved on (a zombie); or another owner holds
   * the row while {@code me} still holds the partition.
   *
   * @param rowStatus the row's status, null when there is no row
   * @param rowOwner the row's {@code claimed_by}
   * @param rowEpoch the row's {@code claim_epoch}
   * @param partitionEpoch the current epoch of {@code me}'s partition, null when never assigned
   */
  public static Fence refused(
      ClaimOwner me, String rowStatus, String rowOwner, Long rowEpoch, Long partitionEpoch) {
    boolean mine =
        Objects.equals(rowOwner, me.claimedBy()) && Objects.equals(rowEpoch, me.claimEpoch());
    if (mine && (rowStatus == null || !"claimed".equals(rowStatus))) {
      return Fence.ALREADY_FINAL;
    }
    if (!current(me, partitionEpoch)) {
      return Fence.PARTITION_LOST;
    }
    return mine ? Fence.ALREADY_FINAL : Fence.TAKEN;
  }

  private static Row after(Row row, Decision d, Instant now) {
    switch (d.write()) {
      case RECLAIM:
        return new Row("claimed", row.attempts(), now);
      case MARK_UNKNOWN:
        return new Row("unknown", Math.max(row.attempts(), 1), row.claimedAt());
      case NONE:
      default:
        return row;
    }
  }
}
