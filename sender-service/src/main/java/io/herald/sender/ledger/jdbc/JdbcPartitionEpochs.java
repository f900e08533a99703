package io.herald.sender.ledger.jdbc;

import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.LedgerException;
import io.herald.sender.ledger.PartitionEpochs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The partition epochs on PostgreSQL's {@code sender_partition_epochs} (ADR 0017): one upsert per
 * assignment bumps the epoch of every newly assigned partition of this sender's consumer group and
 * records this instance as its owner. Waits for claim batches and attempt begins that hold the
 * epoch {@code FOR SHARE}: once the bump committed, no claim of the previous epoch can commit.
 */
public final class JdbcPartitionEpochs implements PartitionEpochs {

  private static final String BUMP =
      "INSERT INTO sender_partition_epochs AS e (consumer_group, partition, epoch, owner,"
          + " assigned_at)"
          + " SELECT ?, p, 1, ?, now() FROM unnest(?::int[]) AS p"
          + " ON CONFLICT (consumer_group, partition) DO UPDATE"
          + " SET epoch = e.epoch + 1, owner = EXCLUDED.owner, assigned_at = now()"
          + " RETURNING partition, epoch";

  private final DataSource dataSource;
  private final String group;
  private final String instance;

  /**
   * @param group the sender's consumer group
   * @param instance this sender instance, written to {@code deliveries.claimed_by}
   */
  public JdbcPartitionEpochs(DataSource dataSource, String group, String instance) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.group = Objects.requireNonNull(group, "group");
    this.instance = Objects.requireNonNull(instance, "instance");
  }

  /** This sender instance's id. */
  public String instance() {
    return instance;
  }

  @Override
  public Map<Integer, ClaimOwner> assign(Collection<Integer> partitions) {
    Map<Integer, ClaimOwner> out = new HashMap<>();
    if (partitions.isEmpty()) {
      return out;
    }
    // in partition order: two senders bumping overlapping sets lock in one order
    Integer[] sorted = new TreeSet<>(partitions).toArray(new Integer[0]);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(BUMP)) {
      ps.setString(1, group);
      ps.setString(2, instance);
      ps.setArray(3, c.createArrayOf("int4", sorted));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int p = rs.getInt(1);
          out.put(p, new ClaimOwner(group, instance, p, rs.getLong(2)));
        }
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot bump partition epochs " + partitions, e);
    }
    return out;
  }
}
