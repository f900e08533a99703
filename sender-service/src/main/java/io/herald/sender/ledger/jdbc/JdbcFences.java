package io.herald.sender.ledger.jdbc;

import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.ClaimRules;
import io.herald.sender.ledger.Fence;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SQL side of the fenced ledger (ADR 0017): the partition epochs a claim batch must match
 * (locked {@code FOR SHARE}, so an assignment's bump waits for the batch and no stale claim commits
 * after it), and why a write that changed nothing was refused ({@link ClaimRules#refused}).
 */
final class JdbcFences {

  private static final String LOCK_EPOCHS =
      "SELECT e.consumer_group, e.partition, e.epoch FROM sender_partition_epochs e"
          + " JOIN unnest(?::text[], ?::int[]) AS v(consumer_group, partition)"
          + " ON e.consumer_group = v.consumer_group AND e.partition = v.partition"
          + " ORDER BY e.consumer_group, e.partition FOR SHARE OF e";

  private static final String REFUSALS =
      "SELECT v.i, d.status, d.claimed_by, d.claim_epoch, e.epoch"
          + " FROM unnest(?::text[], ?::text[], ?::int[]) WITH ORDINALITY"
          + " AS v(command_id, consumer_group, partition, i)"
          + " LEFT JOIN deliveries d ON d.command_id = v.command_id"
          + " LEFT JOIN sender_partition_epochs e"
          + " ON e.consumer_group = v.consumer_group AND e.partition = v.partition";

  /** A write that changed nothing: whose, on which id. */
  record Refused(String commandId, ClaimOwner owner) {}

  private JdbcFences() {}

  /** Key of a (group, partition) pair in {@link #lockEpochs}' answer. */
  static String key(String group, int partition) {
    return partition + "/" + group;
  }

  /**
   * Locks and reads the current epochs of the fenced owners' partitions, keyed by {@link #key}; a
   * partition never assigned is absent.
   */
  static Map<String, Long> lockEpochs(Connection c, Iterable<ClaimOwner> owners)
      throws SQLException {
    Set<String> seen = new TreeSet<>();
    List<String> groups = new ArrayList<>();
    List<String> partitions = new ArrayList<>();
    for (ClaimOwner o : owners) {
      if (o.fenced() && seen.add(key(o.group(), o.partition()))) {
        groups.add(o.group());
        partitions.add(Integer.toString(o.partition()));
      }
    }
    Map<String, Long> out = new HashMap<>();
    if (groups.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement(LOCK_EPOCHS)) {
      ps.setArray(1, text(c, groups));
      ps.setArray(2, text(c, partitions));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(key(rs.getString(1), rs.getInt(2)), rs.getLong(3));
        }
      }
    }
    return out;
  }

  /** Why each of {@code refused} changed nothing, in order. */
  static List<Fence> classify(Connection c, List<Refused> refused) throws SQLException {
    List<Fence> out = new ArrayList<>(refused.size());
    if (refused.isEmpty()) {
      return out;
    }
    List<String> ids = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> partitions = new ArrayList<>();
    for (Refused r : refused) {
      ids.add(r.commandId());
      groups.add(r.owner().group());
      partitions.add(Integer.toString(r.owner().partition()));
      out.add(null);
    }
    try (PreparedStatement ps = c.prepareStatement(REFUSALS)) {
      ps.setArray(1, text(c, ids));
      ps.setArray(2, text(c, groups));
      ps.setArray(3, text(c, partitions));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = (int) rs.getLong(1) - 1;
          long rowEpoch = rs.getLong(4);
          Long claimEpoch = rs.wasNull() ? null : rowEpoch;
          long partEpoch = rs.getLong(5);
          Long partitionEpoch = rs.wasNull() ? null : partEpoch;
          out.set(
              i,
              ClaimRules.refused(
                  refused.get(i).owner(),
                  rs.getString(2),
                  rs.getString(3),
                  claimEpoch,
                  partitionEpoch));
        }
      }
    }
    return out;
  }

  private static Array text(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray(new String[0]));
  }
}
