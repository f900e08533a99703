package io.herald.sender.ledger.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.sender.delivery.FrequencyCap;
import io.herald.sender.ledger.FrequencyCaps;
import io.herald.sender.ledger.LedgerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FrequencyCaps} in PostgreSQL (V10). A tenant's caps ({@code tenant_policies}) are cached
 * for {@code refresh}, so a tenant without caps costs no query per send; a capped send is one
 * transaction under an advisory lock on (tenant, recipient), so that two instances cannot both take
 * a contact's last send. A row that cannot be used gets {@code last_error} and applies no cap.
 */
public final class JdbcFrequencyCaps implements FrequencyCaps, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JdbcFrequencyCaps.class);
  private static final int MAX_POLICY_BYTES = 4_096;

  private static final String POLICY =
      "SELECT CASE WHEN octet_length(frequency_caps::text) <= ? THEN frequency_caps::text END,"
          + " octet_length(frequency_caps::text), last_error FROM tenant_policies WHERE user_id = ?";
  private static final String MARK =
      "UPDATE tenant_policies SET last_error = ? WHERE user_id = ?"
          + " AND last_error IS DISTINCT FROM ?";
  private static final String LOCK =
      "SELECT pg_advisory_xact_lock(hashtext('herald-cap:' || ? || ':' || ?))";
  private static final String ALREADY = "SELECT 1 FROM contact_sends WHERE command_id = ?";
  private static final String COUNT =
      "SELECT count(*) FROM contact_sends WHERE user_id = ? AND recipient = ? AND sent_at > ?";
  private static final String TAKE =
      "INSERT INTO contact_sends (command_id, user_id, recipient, sent_at) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (command_id) DO NOTHING";
  private static final String PURGE =
      "DELETE FROM contact_sends WHERE user_id = ? AND recipient = ? AND sent_at <= ?";

  private record Policy(List<FrequencyCap> caps, Instant loadedAt) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Duration refresh;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<UUID, Policy> policies = new ConcurrentHashMap<>();
  private final java.util.Set<UUID> refreshing = ConcurrentHashMap.newKeySet();
  private final ExecutorService executor;

  public JdbcFrequencyCaps(DataSource dataSource, Clock clock, Duration refresh, int threads) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.refresh = Objects.requireNonNull(refresh, "refresh");
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "herald-frequency-caps");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public CompletableFuture<Optional<String>> admit(SendCommand cmd, Instant now) {
    UUID tenant = SqlValues.uuidOrNull(cmd.tenantId());
    String recipient = cmd.recipient() == null ? "" : cmd.recipient().replaceAll("[^0-9]", "");
    if (tenant == null || recipient.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Policy cached = policies.get(tenant);
    if (cached != null && cached.caps().isEmpty()) {
      if (!cached.loadedAt().plus(refresh).isAfter(clock.instant())) {
        refresh(tenant); // stale: answer from the cache, re-read behind it
      }
      return CompletableFuture.completedFuture(Optional.empty()); // the common case: no caps
    }
    try {
      return CompletableFuture.supplyAsync(() -> admitNow(cmd, tenant, recipient, now), executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new LedgerException("frequency caps closed", e));
    }
  }

  /** Re-reads a tenant's caps once, whatever the number of sends that found them stale. */
  private void refresh(UUID tenant) {
    if (!refreshing.add(tenant)) {
      return;
    }
    try {
      executor.execute(
          () -> {
            try (Connection c = dataSource.getConnection()) {
              policies.remove(tenant);
              policy(c, tenant);
            } catch (SQLException | RuntimeException e) {
              log.warn("Tenant policy not re-read: tenant={} error={}", tenant, e.toString());
            } finally {
              refreshing.remove(tenant);
            }
          });
    } catch (RejectedExecutionException e) {
      refreshing.remove(tenant);
    }
  }

  private Optional<String> admitNow(SendCommand cmd, UUID tenant, String recipient, Instant now) {
    try (Connection c = dataSource.getConnection()) {
      List<FrequencyCap> caps = policy(c, tenant);
      if (caps.isEmpty()) {
        return Optional.empty();
      }
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
          ps.setString(1, tenant.toString());
          ps.setString(2, recipient);
          ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement(ALREADY)) {
          ps.setString(1, cmd.commandId().value());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              c.commit();
              return Optional.empty(); // a retry of an admitted send counts once
            }
          }
        }
        List<Long> counts = new ArrayList<>(caps.size());
        Duration longest = Duration.ZERO;
        for (FrequencyCap cap : caps) {
          counts.add(count(c, tenant, recipient, now.minus(cap.per())));
          longest = cap.per().compareTo(longest) > 0 ? cap.per() : longest;
        }
        FrequencyCap reached = FrequencyCap.reached(caps, counts);
        if (reached == null) {
          try (PreparedStatement ps = c.prepareStatement(TAKE)) {
            ps.setString(1, cmd.commandId().value());
            ps.setObject(2, tenant, Types.OTHER);
            ps.setString(3, recipient);
            ps.setTimestamp(4, Timestamp.from(now));
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement(PURGE)) {
            ps.setObject(1, tenant, Types.OTHER);
            ps.setString(2, recipient);
            ps.setTimestamp(3, Timestamp.from(now.minus(longest)));
            ps.executeUpdate();
          }
        }
        c.commit();
        return reached == null ? Optional.empty() : Optional.of(reached.describe());
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerException("frequency-cap check failed: " + e.getMessage(), e);
    }
  }

  private long count(Connection c, UUID tenant, String recipient, Instant since)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(COUNT)) {
      ps.setObject(1, tenant, Types.OTHER);
      ps.setString(2, recipient);
      ps.setTimestamp(3, Timestamp.from(since));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The tenant's caps, from the cache while fresh; an unusable row marks itself and caps nothing.
   */
  private List<FrequencyCap> policy(Connection c, UUID tenant) throws SQLException {
    Instant now = clock.instant();
    Policy cached = policies.get(tenant);
    if (cached != null && cached.loadedAt().plus(refresh).isAfter(now)) {
      return cached.caps();
    }
    List<FrequencyCap> caps = List.of();
    String problem = null;
    boolean found = false;
    try (PreparedStatement ps = c.prepareStatement(POLICY)) {
      ps.setInt(1, MAX_POLICY_BYTES);
      ps.setObject(2, tenant, Types.OTHER);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          found = true;
          String text = rs.getString(1);
          long size = rs.getLong(2);
          if (text == null && size > 0) {
            problem = "frequency_caps has " + size + " bytes, at most " + MAX_POLICY_BYTES;
          } else if (text != null) {
            FrequencyCap.Parsed parsed = parse(text);
            caps = parsed.caps();
            problem = parsed.problem();
          }
        }
      }
    }
    if (found) {
      try (PreparedStatement ps = c.prepareStatement(MARK)) {
        String error = problem == null ? null : ErrorTexts.text(problem);
        ps.setString(1, error);
        ps.setObject(2, tenant, Types.OTHER);
        ps.setString(3, error);
        if (ps.executeUpdate() > 0 && problem != null) {
          log.warn("Tenant policy unusable, no cap applied: tenant={} reason={}", tenant, problem);
        }
      }
    }
    policies.put(tenant, new Policy(caps, now));
    return caps;
  }

  private FrequencyCap.Parsed parse(String text) {
    JsonNode root;
    try {
      root = json.readTree(text);
    } catch (Exception e) {
      return new FrequencyCap.Parsed(List.of(), "frequency_caps is not JSON");
    }
    if (root == null || root.isNull()) {
      return new FrequencyCap.Parsed(List.of(), null);
    }
    if (!root.isArray()) {
      return new FrequencyCap.Parsed(List.of(), "frequency_caps must be a JSON array of caps");
    }
    List<Long[]> items = new ArrayList<>(root.size());
    for (JsonNode n : root) {
      items.add(new Long[] {whole(n.get("max")), whole(n.get("hours"))});
    }
    return FrequencyCap.of(items);
  }

  private static Long whole(JsonNode n) {
    return n != null && n.isIntegralNumber() && n.canConvertToLong() ? n.longValue() : null;
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
