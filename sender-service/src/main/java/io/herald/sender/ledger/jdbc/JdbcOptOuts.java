package io.herald.sender.ledger.jdbc;

import io.herald.sender.ledger.OptOuts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * Opt-out lookup in {@code contacts}, read at send time (never cached: a contact may opt out after
 * the occurrence fired). Phone numbers match with or without the leading {@code +}. Lookups queued
 * while the previous query was running share one query ({@link GroupCommit}), so the check costs no
 * round trip of its own per send.
 */
public final class JdbcOptOuts implements OptOuts, AutoCloseable {

  private static final String OPTED_OUT =
      "SELECT v.i FROM unnest(?::int[], ?::uuid[], ?::uuid[], ?::text[], ?::text[])"
          + " AS v(i, user_id, contact_id, plus, bare)"
          + " WHERE EXISTS (SELECT 1 FROM contacts c WHERE c.user_id = v.user_id AND c.opted_out"
          + " AND (c.id = v.contact_id OR c.phone_number IN (v.plus, v.bare)))";

  /** One lookup as queued; the phone number as its digits, or null. */
  private record Lookup(UUID tenant, UUID contact, String digits) {}

  private final DataSource dataSource;
  private final GroupCommit<Lookup, Boolean> lookups;

  public JdbcOptOuts(DataSource dataSource) {
    this(dataSource, JdbcDeliveryLedger.DEFAULT_MAX_BATCH, GroupCommit.Listener.NONE);
  }

  /** Starts an unsupervised lookup thread ({@link GroupCommit.Supervision}). */
  public JdbcOptOuts(DataSource dataSource, int maxBatch, GroupCommit.Listener batches) {
    this(dataSource, maxBatch, batches, GroupCommit.Supervision.unsupervised());
  }

  /** Starts the lookup thread ({@code herald-opt-outs}). */
  public JdbcOptOuts(
      DataSource dataSource,
      int maxBatch,
      GroupCommit.Listener batches,
      GroupCommit.Supervision supervision) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.lookups = new GroupCommit<>("opt-outs", maxBatch, this::lookUpAll, batches, supervision);
  }

  /** False once the lookup thread died ({@link GroupCommit#healthy()}). */
  public boolean healthy() {
    return lookups.healthy();
  }

  @Override
  public CompletableFuture<Boolean> optedOut(String tenantId, String contactId, String recipient) {
    UUID tenant = SqlValues.uuidOrNull(tenantId);
    if (tenant == null) {
      return CompletableFuture.completedFuture(false);
    }
    String digits = recipient == null ? "" : recipient.replaceAll("[^0-9]", "");
    if (digits.isEmpty() && contactId == null) {
      return CompletableFuture.completedFuture(false);
    }
    return lookups.submit(
        new Lookup(tenant, SqlValues.uuidOrNull(contactId), digits.isEmpty() ? null : digits));
  }

  private List<Boolean> lookUpAll(List<Lookup> batch) throws SQLException {
    List<String> index = new ArrayList<>(batch.size());
    List<String> tenants = new ArrayList<>(batch.size());
    List<String> contacts = new ArrayList<>(batch.size());
    List<String> plus = new ArrayList<>(batch.size());
    List<String> bare = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Lookup l = batch.get(i);
      index.add(Integer.toString(i));
      tenants.add(l.tenant().toString());
      contacts.add(l.contact() == null ? null : l.contact().toString());
      plus.add(l.digits() == null ? null : "+" + l.digits());
      bare.add(l.digits());
    }
    Set<Integer> optedOut = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(OPTED_OUT)) {
      List<List<String>> columns = List.of(index, tenants, contacts, plus, bare);
      for (int i = 0; i < columns.size(); i++) {
        ps.setArray(i + 1, c.createArrayOf("text", columns.get(i).toArray(new String[0])));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          optedOut.add(rs.getInt(1));
        }
      }
    }
    List<Boolean> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(optedOut.contains(i));
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
