package io.herald.sender.ledger.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryStatus;
import io.herald.sender.delivery.DeliveryMode;
import io.herald.sender.delivery.Device;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.DeviceVetting;
import io.herald.sender.ledger.Finish;
import io.herald.sender.ledger.LedgerException;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger.ClaimRequest;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger.FinishRequest;
import io.herald.testsupport.PostgresTestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Group commit of claims, finishes and opt-out lookups on the real PostgreSQL. */
class GroupCommitLedgerIT {

  private static final Instant NOW = Instant.parse("2026-02-02T10:00:00Z");
  private static PostgresTestDatabase db;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void infra() {
    db = PostgresTestDatabase.shared();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(c);
    return c;
  }

  private static SendCommand cmd() {
    return LedgerCommands.fresh(ScheduleKind.BROADCAST);
  }

  private static String status(CommandId id) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT status FROM deliveries WHERE command_id = ?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static ClaimRequest req(SendCommand c, DeliveryMode mode) {
    return new ClaimRequest(c, mode, NOW);
  }

  private static Finish sent(int attempts) {
    return new Finish(DeliveryStatus.SENT, attempts, "wamid.x", null, null, NOW);
  }

  @Test
  void shouldLetExactlyOneWinWhenManyThreadsClaimSameId() throws Exception {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    JdbcDeliveryLedger ledger =
        closing(
            new JdbcDeliveryLedger(
                db.dataSource(), 500, (n, nanos, ok) -> sizes.add(n), GroupCommit.Listener.NONE));
    SendCommand same = cmd();
    int threads = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Claim>> claims = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      claims.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return ledger.claim(same, DeliveryMode.AT_MOST_ONCE, Instant.now()).join();
              },
              pool));
    }
    go.countDown();
    Map<Claim.Kind, Long> kinds =
        claims.stream()
            .map(CompletableFuture::join)
            .collect(Collectors.groupingBy(Claim::kind, Collectors.counting()));
    pool.shutdown();

    // as if one after the other: one owner, one "earlier owner never confirmed", then duplicates
    assertThat(kinds.get(Claim.Kind.CLAIMED)).isEqualTo(1L);
    assertThat(kinds.get(Claim.Kind.UNKNOWN)).isEqualTo(1L);
    assertThat(kinds.getOrDefault(Claim.Kind.DUPLICATE, 0L)).isEqualTo(threads - 2L);
    assertThat(status(same.commandId())).isEqualTo("unknown");
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(threads);
  }

  @Test
  void shouldLetExactlyOneInstanceWinEachIdWhenTwoLedgersRace() throws Exception {
    JdbcDeliveryLedger a = closing(new JdbcDeliveryLedger(db.dataSource()));
    JdbcDeliveryLedger b = closing(new JdbcDeliveryLedger(db.dataSource()));
    List<SendCommand> cmds = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      cmds.add(cmd());
    }
    List<CompletableFuture<Claim>> fromA = new ArrayList<>();
    List<CompletableFuture<Claim>> fromB = new ArrayList<>();
    for (int i = 0; i < cmds.size(); i++) {
      // opposite orders, so batches of the two meet the same ids from both ends
      fromA.add(a.claim(cmds.get(i), DeliveryMode.AT_MOST_ONCE, NOW));
      fromB.add(b.claim(cmds.get(cmds.size() - 1 - i), DeliveryMode.AT_MOST_ONCE, NOW));
    }
    for (int i = 0; i < cmds.size(); i++) {
      Claim ca = fromA.get(i).get(30, TimeUnit.SECONDS);
      Claim cb = fromB.get(cmds.size() - 1 - i).get(30, TimeUnit.SECONDS);
      assertThat(List.of(ca.kind(), cb.kind()))
          .as("claims of %s", cmds.get(i).commandId())
          .containsExactlyInAnyOrder(Claim.Kind.CLAIMED, Claim.Kind.UNKNOWN);
    }
  }

  @Test
  void shouldDecideDuplicatesInOneBatchAsSequentialClaims() throws Exception {
    JdbcDeliveryLedger ledger = closing(new JdbcDeliveryLedger(db.dataSource()));
    SendCommand a = cmd();
    SendCommand b = cmd();
    SendCommand done = cmd();
    SendCommand retried = cmd();
    assertThat(
            ledger.claimAll(
                List.of(
                    req(done, DeliveryMode.AT_MOST_ONCE), req(retried, DeliveryMode.AT_MOST_ONCE))))
        .containsOnly(Claim.claimed(0));
    assertThat(ledger.finishAll(List.of(new FinishRequest(done.commandId(), sent(1)))))
        .containsExactly(true);
    ledger.releaseForRetry(retried.commandId(), 2, "130429", "throttled").join();

    List<Claim> claims =
        ledger.claimAll(
            List.of(
                req(a, DeliveryMode.AT_MOST_ONCE),
                req(a, DeliveryMode.AT_MOST_ONCE),
                req(b, DeliveryMode.AT_MOST_ONCE),
                req(done, DeliveryMode.AT_MOST_ONCE),
                req(retried, DeliveryMode.AT_MOST_ONCE),
                req(a, DeliveryMode.AT_MOST_ONCE)));

    assertThat(claims)
        .containsExactly(
            Claim.claimed(0),
            Claim.unknown(1),
            Claim.claimed(0),
            Claim.duplicate(DeliveryStatus.SENT),
            Claim.claimed(2),
            Claim.duplicate(DeliveryStatus.UNKNOWN));
    assertThat(status(a.commandId())).isEqualTo("unknown");
    assertThat(status(b.commandId())).isEqualTo("claimed");
    assertThat(status(done.commandId())).isEqualTo("sent");
    assertThat(status(retried.commandId())).isEqualTo("claimed");
    assertThat(ledger.beginAttempt(retried.commandId(), NOW).join()).isTrue();

    SendCommand c = cmd();
    assertThat(
            ledger.claimAll(
                List.of(req(c, DeliveryMode.AT_LEAST_ONCE), req(c, DeliveryMode.AT_LEAST_ONCE))))
        .containsExactly(Claim.claimed(0), Claim.claimed(0));
    assertThat(status(c.commandId())).isEqualTo("claimed");
  }

  @Test
  void shouldRollBackWholeBatchAndKeepGoingWhenCommitFails() throws Exception {
    AtomicBoolean failCommit = new AtomicBoolean(true);
    JdbcDeliveryLedger ledger =
        closing(new JdbcDeliveryLedger(failingCommits(db.dataSource(), failCommit)));
    List<SendCommand> cmds = List.of(cmd(), cmd(), cmd());

    assertThatThrownBy(
            () ->
                ledger.claimAll(cmds.stream().map(c -> req(c, DeliveryMode.AT_MOST_ONCE)).toList()))
        .isInstanceOf(SQLException.class);
    List<CompletableFuture<Claim>> async = new ArrayList<>();
    for (SendCommand c : cmds) {
      async.add(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW));
    }
    for (CompletableFuture<Claim> f : async) {
      assertThatThrownBy(f::join)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(LedgerException.class);
    }
    for (SendCommand c : cmds) {
      assertThat(status(c.commandId())).as("rolled back").isNull();
    }

    failCommit.set(false);
    for (SendCommand c : cmds) {
      assertThat(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW).get(10, TimeUnit.SECONDS))
          .isEqualTo(Claim.claimed(0));
    }
  }

  @Test
  void shouldFailOnlyItsBatchWhenFinishBatchFails() throws Exception {
    JdbcDeliveryLedger ledger = closing(new JdbcDeliveryLedger(db.dataSource()));
    SendCommand good = cmd();
    SendCommand bad = cmd();
    ledger.claimAll(
        List.of(req(good, DeliveryMode.AT_MOST_ONCE), req(bad, DeliveryMode.AT_MOST_ONCE)));
    // attempts < 0 breaks the table's CHECK: the statement, and so the whole batch, fails
    Finish broken = new Finish(DeliveryStatus.FAILED, -1, null, "x", null, NOW);

    assertThatThrownBy(
            () ->
                ledger.finishAll(
                    List.of(
                        new FinishRequest(good.commandId(), sent(1)),
                        new FinishRequest(bad.commandId(), broken))))
        .isInstanceOf(SQLException.class);
    assertThat(status(good.commandId())).isEqualTo("claimed");

    assertThatThrownBy(() -> ledger.finish(bad.commandId(), broken).join())
        .hasCauseInstanceOf(LedgerException.class);
    assertThat(ledger.finish(good.commandId(), sent(1)).get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(status(good.commandId())).isEqualTo("sent");
    assertThat(status(bad.commandId())).isEqualTo("claimed");
  }

  @Test
  void shouldFinishOnceAfterClaimWhenFinishRepeatedInBatch() throws Exception {
    JdbcDeliveryLedger ledger = closing(new JdbcDeliveryLedger(db.dataSource()));
    SendCommand c = cmd();
    SendCommand never = cmd();
    assertThat(ledger.claim(c, DeliveryMode.AT_MOST_ONCE, NOW).get(10, TimeUnit.SECONDS))
        .isEqualTo(Claim.claimed(0));

    assertThat(
            ledger.finishAll(
                List.of(
                    new FinishRequest(c.commandId(), sent(1)),
                    new FinishRequest(never.commandId(), sent(1)),
                    new FinishRequest(
                        c.commandId(),
                        new Finish(DeliveryStatus.FAILED, 1, null, "x", null, NOW)))))
        .containsExactly(true, false, false);
    assertThat(status(c.commandId())).isEqualTo("sent");
    assertThat(status(never.commandId())).isNull();
    try (Connection conn = db.connection();
        PreparedStatement ps =
            conn.prepareStatement(
                "SELECT attempts, transport_message_id, finished_at FROM deliveries"
                    + " WHERE command_id = ?")) {
      ps.setString(1, c.commandId().value());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(1);
        assertThat(rs.getString(2)).isEqualTo("wamid.x");
        assertThat(rs.getTimestamp(3).toInstant()).isEqualTo(NOW);
      }
    }
  }

  @Test
  void shouldRunQueuedClaimsThenFailLaterOnesWhenClosed() throws Exception {
    JdbcDeliveryLedger ledger = new JdbcDeliveryLedger(db.dataSource());
    List<SendCommand> cmds = new ArrayList<>();
    List<CompletableFuture<Claim>> claims = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      cmds.add(cmd());
      claims.add(ledger.claim(cmds.get(i), DeliveryMode.AT_MOST_ONCE, NOW));
    }

    assertThat(ledger.close(Duration.ofSeconds(10))).isTrue();
    for (CompletableFuture<Claim> f : claims) {
      assertThat(f).isCompletedWithValue(Claim.claimed(0));
    }
    assertThatThrownBy(() -> ledger.claim(cmd(), DeliveryMode.AT_MOST_ONCE, NOW).join())
        .hasCauseInstanceOf(LedgerException.class);
  }

  @Test
  void shouldAnswerEachLookupWhenOptOutsShareQuery() throws Exception {
    String tenant = UUID.randomUUID().toString();
    String otherTenant = UUID.randomUUID().toString();
    String contactOut = UUID.randomUUID().toString();
    String contactIn = UUID.randomUUID().toString();
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO contacts (id, user_id, phone_number, opted_out)"
                    + " VALUES (?::uuid, ?::uuid, ?, ?)")) {
      Object[][] rows = {
        {contactOut, tenant, "+6281100", true},
        {contactIn, tenant, "6281101", false},
        {UUID.randomUUID().toString(), tenant, "6281102", true},
        {UUID.randomUUID().toString(), otherTenant, "+6281103", true},
      };
      for (Object[] r : rows) {
        ps.setString(1, (String) r[0]);
        ps.setString(2, (String) r[1]);
        ps.setString(3, (String) r[2]);
        ps.setBoolean(4, (Boolean) r[3]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    JdbcOptOuts optOuts = closing(new JdbcOptOuts(db.dataSource()));
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(optOuts.optedOut(tenant, contactOut, "+999")); // by contact id
      answers.add(optOuts.optedOut(tenant, null, "6281100")); // by phone, without the +
      answers.add(optOuts.optedOut(tenant, null, "+6281102")); // by phone, with the +
      answers.add(optOuts.optedOut(tenant, contactIn, "+6281101")); // not opted out
      answers.add(optOuts.optedOut(tenant, null, "+6281103")); // another tenant's contact
    }
    List<Boolean> got = answers.stream().map(CompletableFuture::join).toList();
    for (int i = 0; i < got.size(); i += 5) {
      assertThat(got.subList(i, i + 5)).containsExactly(true, true, true, false, false);
    }
  }

  @Test
  void shouldReloadHalfStaleDevicesWithStaleOne() throws Exception {
    String tenant = UUID.randomUUID().toString();
    String d1 = UUID.randomUUID().toString();
    String d2 = UUID.randomUUID().toString();
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO devices (id, user_id, transport, status) VALUES (?::uuid, ?::uuid,"
                    + " 'simulated', 'active')")) {
      for (String d : List.of(d1, d2)) {
        ps.setString(1, d);
        ps.setString(2, tenant);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    AtomicReference<Instant> now = new AtomicReference<>(NOW);
    Clock clock =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now.get();
          }
        };
    JdbcDeviceDirectory devices =
        new JdbcDeviceDirectory(db.dataSource(), clock, Duration.ofSeconds(3), DeviceVetting.NONE);
    assertThat(devices.find(d1).join().map(Device::status)).contains("active");
    now.set(NOW.plusSeconds(1)); // d1 not yet half its age: loaded alone
    assertThat(devices.find(d2).join().map(Device::status)).contains("active");
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE devices SET status = 'paused' WHERE id = ANY (?::uuid[])")) {
      ps.setArray(1, c.createArrayOf("text", new String[] {d1, d2}));
      ps.executeUpdate();
    }

    now.set(NOW.plusMillis(3_600)); // d1 stale (3.6 s); d2 fresh (2.6 s) but past half its age
    assertThat(devices.find(d1).join().map(Device::status)).contains("paused");
    assertThat(devices.find(d2).join().map(Device::status))
        .as("reloaded with d1")
        .contains("paused");
    assertThat(devices.find(UUID.randomUUID().toString()).join()).isEqualTo(Optional.empty());
  }

  /** A data source whose connections fail to commit while {@code fail} is set. */
  private static DataSource failingCommits(DataSource real, AtomicBoolean fail) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object out = invoke(real, method, args);
              if (!(out instanceof Connection)) {
                return out;
              }
              Connection conn = (Connection) out;
              return Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    if (m.getName().equals("commit") && fail.get()) {
                      throw new SQLException("commit refused by the test", "08006");
                    }
                    return invoke(conn, m, a);
                  });
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
