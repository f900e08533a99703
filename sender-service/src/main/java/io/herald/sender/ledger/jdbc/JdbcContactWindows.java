package io.herald.sender.ledger.jdbc;

import io.herald.sender.ledger.ContactWindows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * The recipients' windows in {@code contact_windows} (V9), read at send time and never cached: a
 * contact may write a minute before its send. Lookups queued while a query runs share the next one
 * ({@link GroupCommit}), like the opt-out check.
 */
public final class JdbcContactWindows implements ContactWindows, AutoCloseable {

  private static final String LAST_INBOUND =
      "SELECT v.i, w.last_inbound_at FROM unnest(?::int[], ?::uuid[], ?::text[])"
          + " AS v(i, device_id, wa_id)"
          + " JOIN contact_windows w ON w.device_id = v.device_id AND w.wa_id = v.wa_id";

  /** One lookup as queued: the device and the recipient as the webhooks name it (digits). */
  private record Lookup(UUID device, String waId) {}

  private final DataSource dataSource;
  private final GroupCommit<Lookup, Optional<Instant>> lookups;

  /** Starts the lookup thread ({@code herald-contact-windows}). */
  public JdbcContactWindows(
      DataSource dataSource,
      int maxBatch,
      GroupCommit.Listener batches,
      GroupCommit.Supervision supervision) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.lookups =
        new GroupCommit<>("contact-windows", maxBatch, this::lookUpAll, batches, supervision);
  }

  /** Starts an unsupervised lookup thread; tests. */
  public JdbcContactWindows(DataSource dataSource) {
    this(
        dataSource,
        JdbcDeliveryLedger.DEFAULT_MAX_BATCH,
        GroupCommit.Listener.NONE,
        GroupCommit.Supervision.unsupervised());
  }

  /** False once the lookup thread died. */
  public boolean healthy() {
    return lookups.healthy();
  }

  @Override
  public CompletableFuture<Optional<Instant>> lastInbound(String deviceId, String recipient) {
    UUID device = SqlValues.uuidOrNull(deviceId);
    String digits = recipient == null ? "" : recipient.replaceAll("[^0-9]", "");
    if (device == null || digits.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return lookups.submit(new Lookup(device, digits));
  }

  private List<Optional<Instant>> lookUpAll(List<Lookup> batch) throws SQLException {
    String[] index = new String[batch.size()];
    String[] devices = new String[batch.size()];
    String[] waIds = new String[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      index[i] = Integer.toString(i);
      devices[i] = batch.get(i).device().toString();
      waIds[i] = batch.get(i).waId();
    }
    Map<Integer, Instant> found = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(LAST_INBOUND)) {
      ps.setArray(1, c.createArrayOf("text", index));
      ps.setArray(2, c.createArrayOf("text", devices));
      ps.setArray(3, c.createArrayOf("text", waIds));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getInt(1), rs.getTimestamp(2).toInstant());
        }
      }
    }
    List<Optional<Instant>> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(Optional.ofNullable(found.get(i)));
    }
    return out;
  }

  /** Runs the lookups already queued (up to {@code timeout}); later ones fail. */
  public boolean close(Duration timeout) {
    return lookups.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
