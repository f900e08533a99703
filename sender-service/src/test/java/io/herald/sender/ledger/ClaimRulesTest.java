package io.herald.sender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.ledger.ClaimRules.Decision;
import io.herald.sender.ledger.ClaimRules.Request;
import io.herald.sender.ledger.ClaimRules.Row;
import io.herald.sender.ledger.ClaimRules.Write;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClaimRulesTest {

  private static final Instant T0 = Instant.parse("2026-02-02T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(5);

  private static Request req(String id, DeliveryMode mode) {
    return new Request(id, mode, T1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sent", "failed", "skipped", "expired"})
  void shouldSuppressWhenRowFinal(String status) {
    for (DeliveryMode mode : DeliveryMode.values()) {
      assertThat(ClaimRules.decideOne(new Row(status, 1, null), mode))
          .isEqualTo(
              new Decision(Claim.duplicate(DeliveryStatus.fromWire(status)), Write.NONE, null));
    }
  }

  @Test
  void shouldReportUnknownOnceWhenInFlightInAtMostOnce() {
    assertThat(ClaimRules.decideOne(new Row("claimed", 0, T0), DeliveryMode.AT_MOST_ONCE))
        .isEqualTo(new Decision(Claim.unknown(1), Write.MARK_UNKNOWN, T0));
    assertThat(ClaimRules.decideOne(new Row("unknown", 2, null), DeliveryMode.AT_MOST_ONCE))
        .isEqualTo(new Decision(Claim.duplicate(DeliveryStatus.UNKNOWN), Write.NONE, null));
  }

  @Test
  void shouldReclaimWhenInFlightOrUnknownInAtLeastOnce() {
    assertThat(ClaimRules.decideOne(new Row("claimed", 2, T0), DeliveryMode.AT_LEAST_ONCE))
        .isEqualTo(new Decision(Claim.claimed(2), Write.RECLAIM, null));
    assertThat(ClaimRules.decideOne(new Row("unknown", 1, null), DeliveryMode.AT_LEAST_ONCE))
        .isEqualTo(new Decision(Claim.claimed(1), Write.RECLAIM, null));
  }

  @ParameterizedTest
  @EnumSource(DeliveryMode.class)
  void shouldContinueAttemptsWhenReleasedBetweenAttempts(DeliveryMode mode) {
    assertThat(ClaimRules.decideOne(new Row("claimed", 2, null), mode))
        .isEqualTo(new Decision(Claim.claimed(2), Write.RECLAIM, null));
  }

  @Test
  void shouldTreatVanishedRowAsSkippedDuplicate() {
    assertThat(ClaimRules.decideOne(null, DeliveryMode.AT_MOST_ONCE).claim())
        .isEqualTo(Claim.duplicate(DeliveryStatus.SKIPPED));
  }

  @Test
  void shouldDecideRepeatedIdsInOrderWhenBatchHasDuplicates() {
    List<Decision> out =
        ClaimRules.decide(
            List.of(
                req("a", DeliveryMode.AT_MOST_ONCE),
                req("b", DeliveryMode.AT_MOST_ONCE),
                req("a", DeliveryMode.AT_MOST_ONCE),
                req("a", DeliveryMode.AT_MOST_ONCE),
                req("c", DeliveryMode.AT_MOST_ONCE),
                req("c", DeliveryMode.AT_MOST_ONCE)),
            Set.of("a", "b"),
            Map.of("c", new Row("claimed", 0, T0)));

    assertThat(out)
        .extracting(Decision::claim)
        .containsExactly(
            Claim.claimed(0),
            Claim.claimed(0),
            Claim.unknown(1), // meets the claim its first copy just made
            Claim.duplicate(DeliveryStatus.UNKNOWN),
            Claim.unknown(1), // an earlier owner's unconfirmed claim
            Claim.duplicate(DeliveryStatus.UNKNOWN));
    assertThat(out)
        .extracting(Decision::write)
        .containsExactly(
            Write.NONE, Write.NONE, Write.MARK_UNKNOWN, Write.NONE, Write.MARK_UNKNOWN, Write.NONE);
    assertThat(out.get(2).unconfirmedSince()).isEqualTo(T1);
    assertThat(out.get(4).unconfirmedSince()).isEqualTo(T0);
  }

  @Test
  void shouldClaimEveryCopyWhenDuplicatesInAtLeastOnce() {
    List<Decision> out =
        ClaimRules.decide(
            List.of(req("a", DeliveryMode.AT_LEAST_ONCE), req("a", DeliveryMode.AT_LEAST_ONCE)),
            Set.of("a"),
            Map.of());
    assertThat(out).extracting(Decision::claim).containsExactly(Claim.claimed(0), Claim.claimed(0));
    assertThat(out.get(1).write()).isEqualTo(Write.RECLAIM);
  }

  // fencing (ADR 0017): A held partition 3 at epoch 4, B took it over at epoch 5
  private static final ClaimOwner A = new ClaimOwner("g", "a", 3, 4);
  private static final ClaimOwner B = new ClaimOwner("g", "b", 3, 5);

  @Test
  void shouldClaimOnlyWithTheCurrentPartitionEpoch() {
    assertThat(ClaimRules.current(B, 5L)).isTrue();
    assertThat(ClaimRules.current(A, 5L)).isFalse();
    assertThat(ClaimRules.current(A, null)).isFalse(); // never assigned: nobody may claim
    assertThat(ClaimRules.current(ClaimOwner.UNFENCED, null)).isTrue();
    assertThat(ClaimRules.current(ClaimOwner.unfenced(3), 5L)).isTrue();
  }

  @Test
  void shouldTellAZombieItLostThePartitionWhateverTheRow() {
    // its row still claimed by it (B has not read the record yet), or taken over by B, or final
    assertThat(ClaimRules.refused(A, "claimed", "a", 4L, 5L)).isEqualTo(Fence.PARTITION_LOST);
    assertThat(ClaimRules.refused(A, "claimed", "b", 5L, 5L)).isEqualTo(Fence.PARTITION_LOST);
    assertThat(ClaimRules.refused(A, "sent", "b", 5L, 5L)).isEqualTo(Fence.PARTITION_LOST);
    assertThat(ClaimRules.refused(A, "unknown", "b", 5L, 5L)).isEqualTo(Fence.PARTITION_LOST);
  }

  @Test
  void shouldSayAlreadyFinalWhenTheRowIsFinalUnderTheCallersOwnClaim() {
    // even a zombie: its own earlier write committed, its result must still go out
    assertThat(ClaimRules.refused(A, "sent", "a", 4L, 5L)).isEqualTo(Fence.ALREADY_FINAL);
    assertThat(ClaimRules.refused(B, "failed", "b", 5L, 5L)).isEqualTo(Fence.ALREADY_FINAL);
    assertThat(ClaimRules.refused(ClaimOwner.UNFENCED, "sent", null, null, null))
        .isEqualTo(Fence.ALREADY_FINAL);
    assertThat(ClaimRules.refused(ClaimOwner.UNFENCED, null, null, null, null))
        .isEqualTo(Fence.ALREADY_FINAL); // no row: as before fencing
  }

  @Test
  void shouldSayTakenWhenAnotherOwnerHoldsTheRowAndThePartitionIsStillMine() {
    ClaimOwner otherGroup = new ClaimOwner("h", "c", 3, 1);
    assertThat(ClaimRules.refused(B, "claimed", "c", 1L, 5L)).isEqualTo(Fence.TAKEN);
    assertThat(ClaimRules.refused(B, "sent", "c", 1L, 5L)).isEqualTo(Fence.TAKEN);
    assertThat(ClaimRules.refused(B, null, null, null, 5L)).isEqualTo(Fence.TAKEN);
    assertThat(ClaimRules.refused(otherGroup, "claimed", "b", 5L, 1L)).isEqualTo(Fence.TAKEN);
    assertThat(ClaimRules.refused(ClaimOwner.UNFENCED, "claimed", "b", 5L, null))
        .isEqualTo(Fence.TAKEN);
  }

  @Test
  void shouldCountOnlyTakenAndPartitionLostAsLost() {
    assertThat(Fence.HELD.lost()).isFalse();
    assertThat(Fence.ALREADY_FINAL.lost()).isFalse();
    assertThat(Fence.TAKEN.lost()).isTrue();
    assertThat(Fence.PARTITION_LOST.lost()).isTrue();
  }
}
