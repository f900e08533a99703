package io.herald.sender.ledger.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.Fence;
import io.herald.sender.ledger.Finish;
import io.herald.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The claim-before-send semantics on the real {@code deliveries} table. */
class JdbcDeliveryLedgerIT {

  private static PostgresTestDatabase db;
  private static JdbcDeliveryLedger ledger;
  private static final Instant NOW = Instant.parse("2026-02-02T10:00:00Z");

  @BeforeAll
  static void infra() {
    db = PostgresTestDatabase.shared();
    ledger = new JdbcDeliveryLedger(db.dataSource());
  }

  private static SendCommand cmd() {
    return LedgerCommands.fresh(ScheduleKind.RECURRING);
  }

  private static Claim claim(SendCommand c, DeliveryMode mode, Instant now) {
    return ledger.claim(c, mode, now).join();
  }

  private static boolean finish(CommandId id, Finish f) {
    return ledger.finish(id, f).join();
  }

  private static String status(CommandId id) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT status FROM deliveries WHERE command_id = ?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Test
  void shouldClaimOnceAndSuppressWhenAlreadySent() throws Exception {
    SendCommand c = cmd();
    assertThat(claim(c, DeliveryMode.AT_MOST_ONCE, NOW)).isEqualTo(Claim.claimed(0));
    Finish sent = new Finish(DeliveryStatus.SENT, 1, "wamid.1", null, null, NOW);
    assertThat(finish(c.commandId(), sent)).isTrue();
    assertThat(claim(c, DeliveryMode.AT_MOST_ONCE, NOW))
        .isEqualTo(Claim.duplicate(DeliveryStatus.SENT));
    assertThat(claim(c, DeliveryMode.AT_LEAST_ONCE, NOW))
        .isEqualTo(Claim.duplicate(DeliveryStatus.SENT));
    assertThat(status(c.commandId())).isEqualTo("sent");
  }

  @Test
  void shouldReportUnknownOnceWhenClaimNeverConfirmed() throws Exception {
    SendCommand c = cmd();
    claim(c, DeliveryMode.AT_MOST_ONCE, NOW); // the owner crashes mid-call
    assertThat(claim(c, DeliveryMode.AT_MOST_ONCE, NOW).kind()).isEqualTo(Claim.Kind.UNKNOWN);
    assertThat(status(c.commandId())).isEqualTo("unknown");
    assertThat(claim(c, DeliveryMode.AT_MOST_ONCE, NOW))
        .isEqualTo(Claim.duplicate(DeliveryStatus.UNKNOWN));
  }

  @Test
  void shouldResendWhenAtLeastOnceAndClaimNeverConfirmed() throws Exception {
    SendCommand c = cmd();
    claim(c, DeliveryMode.AT_LEAST_ONCE, NOW);
    assertThat(claim(c, DeliveryMode.AT_LEAST_ONCE, NOW).kind()).isEqualTo(Claim.Kind.CLAIMED);
    assertThat(status(c.commandId())).isEqualTo("claimed");
    SendCommand d = cmd();
    claim(d, DeliveryMode.AT_MOST_ONCE, NOW);
    claim(d, DeliveryMode.AT_MOST_ONCE, NOW); // -> unknown
    assertThat(claim(d, DeliveryMode.AT_LEAST_ONCE, NOW).kind()).isEqualTo(Claim.Kind.CLAIMED);
  }

  @Test
  void shouldContinueAttemptsWhenReleasedBetweenRetries() throws Exception {
    SendCommand c = cmd();
    claim(c, DeliveryMode.AT_MOST_ONCE, NOW);
    ledger
        .releaseForRetry(c.commandId(), 2, "130429", "throttled")
        .join(); // owner stops between attempts
    assertThat(claim(c, DeliveryMode.AT_MOST_ONCE, NOW)).isEqualTo(Claim.claimed(2));
    assertThat(ledger.beginAttempt(c.commandId(), NOW).join()).isTrue();
  }

  @Test
  void shouldRecordTruthWhenLateOwnerFinishesAfterUnknown() throws Exception {
    SendCommand c = cmd();
    claim(c, DeliveryMode.AT_MOST_ONCE, NOW);
    claim(c, DeliveryMode.AT_MOST_ONCE, NOW); // another owner: unknown
    assertThat(ledger.beginAttempt(c.commandId(), NOW).join()).isFalse();
    assertThat(
            finish(c.commandId(), new Finish(DeliveryStatus.SENT, 1, "wamid.2", null, null, NOW)))
        .isTrue();
    assertThat(status(c.commandId())).isEqualTo("sent");
    assertThat(finish(c.commandId(), new Finish(DeliveryStatus.FAILED, 1, null, "x", null, NOW)))
        .isFalse();
  }

  private static String owner(CommandId id) throws Exception {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT claimed_by || '@' || claim_epoch FROM deliveries WHERE command_id = ?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Test
  void shouldRefuseAZombieOnceAnotherSenderTookItsPartition() throws Exception {
    String group = "fence-" + UUID.randomUUID();
    ClaimOwner a = new JdbcPartitionEpochs(db.dataSource(), group, "a").assign(List.of(2)).get(2);
    SendCommand c = cmd();
    SendCommand fresh = cmd();
    Finish sent = new Finish(DeliveryStatus.SENT, 2, "wamid.2", null, null, NOW);
    assertThat(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW, a).join())
        .isEqualTo(Claim.claimed(0));
    assertThat(ledger.releaseForRetry(c.commandId(), a, 1, "131016", "503").join())
        .isEqualTo(Fence.HELD);

    ClaimOwner b = new JdbcPartitionEpochs(db.dataSource(), group, "b").assign(List.of(2)).get(2);
    assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
    // the zombie can neither start another attempt nor claim anything new
    assertThat(ledger.beginAttempt(c.commandId(), a, NOW).join()).isEqualTo(Fence.PARTITION_LOST);
    assertThat(ledger.claim(fresh, DeliveryMode.AT_MOST_ONCE, NOW, a).join())
        .isEqualTo(Claim.lost());
    assertThat(status(fresh.commandId())).isNull();
    // the new owner reads the record again: between two attempts, it goes on and owns the row
    assertThat(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW, b).join())
        .isEqualTo(Claim.claimed(1));
    assertThat(owner(c.commandId())).isEqualTo("b@" + b.epoch());
    assertThat(ledger.releaseForRetry(c.commandId(), a, 2, "x", "y").join())
        .isEqualTo(Fence.PARTITION_LOST);
    assertThat(ledger.finish(c.commandId(), a, sent).join()).isEqualTo(Fence.PARTITION_LOST);
    assertThat(status(c.commandId())).isEqualTo("claimed");
    assertThat(ledger.finish(c.commandId(), b, sent).join()).isEqualTo(Fence.HELD);
    assertThat(ledger.finish(c.commandId(), b, sent).join()).isEqualTo(Fence.ALREADY_FINAL);
    assertThat(status(c.commandId())).isEqualTo("sent");
    assertThat(owner(c.commandId())).isEqualTo("b@" + b.epoch());
  }

  @Test
  void shouldKeepTheNewOwnersUnknownWhenAZombieFinishesLate() throws Exception {
    String group = "fence-" + UUID.randomUUID();
    ClaimOwner a = new JdbcPartitionEpochs(db.dataSource(), group, "a").assign(List.of(0)).get(0);
    SendCommand c = cmd();
    ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW, a).join(); // a's call in flight, then a pause
    ClaimOwner b = new JdbcPartitionEpochs(db.dataSource(), group, "b").assign(List.of(0)).get(0);
    assertThat(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW, b).join().kind())
        .isEqualTo(Claim.Kind.UNKNOWN);
    Finish sent = new Finish(DeliveryStatus.SENT, 1, "wamid.1", null, null, NOW);
    assertThat(ledger.finish(c.commandId(), a, sent).join()).isEqualTo(Fence.PARTITION_LOST);
    assertThat(status(c.commandId())).isEqualTo("unknown");
    assertThat(owner(c.commandId())).isEqualTo("b@" + b.epoch());
  }

  @Test
  void shouldTellAnOwnerWhoseRowAnotherGroupTookThatItIsTakenNotLost() throws Exception {
    ClaimOwner g1 =
        new JdbcPartitionEpochs(db.dataSource(), "fence-" + UUID.randomUUID(), "a")
            .assign(List.of(1))
            .get(1);
    ClaimOwner g2 =
        new JdbcPartitionEpochs(db.dataSource(), "fence-" + UUID.randomUUID(), "b")
            .assign(List.of(1))
            .get(1);
    SendCommand c = cmd();
    ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW, g1).join();
    ledger.releaseForRetry(c.commandId(), g1, 1, "131016", "503").join();
    assertThat(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW, g2).join())
        .isEqualTo(Claim.claimed(1));
    assertThat(ledger.beginAttempt(c.commandId(), g1, NOW).join()).isEqualTo(Fence.TAKEN);
  }
}
