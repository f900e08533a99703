package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.serde.JsonSerde;
import io.herald.sender.backlog.LaneSchedule;
import io.herald.sender.backlog.ParkedBacklog;
import io.herald.sender.backlog.ParkedCommand;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * {@link ParkedBacklog} in {@code parked_commands}. Parks and removals from every lane are
 * group-committed ({@link GroupCommit}: one statement and one commit per batch, in submission
 * order, so a lane's parks keep their order); loads share a thread of their own so that a slow load
 * never delays a park.
 */
public final class JdbcParkedBacklog implements ParkedBacklog, AutoCloseable {

  private static final JsonSerde<SendCommand> SERDE = new JsonSerde<>(SendCommand.class);
  private static final int MAX_BATCH = 500;

  private static final String PARK =
      "INSERT INTO parked_commands (consumer_group, command_id, device_id, source_partition,"
          + " schedule_key, source_offset, command) VALUES (?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (consumer_group, command_id) DO NOTHING";
  private static final String NEXT =
      "SELECT source_offset, command FROM parked_commands WHERE consumer_group = ?"
          + " AND device_id = ? AND source_partition = ? AND schedule_key = ?"
          + " AND source_offset > ? ORDER BY source_offset LIMIT ?";
  private static final String REMOVE =
      "DELETE FROM parked_commands WHERE consumer_group = ? AND command_id = ANY (?)";
  private static final String COUNTS =
      "SELECT source_partition, device_id, schedule_key, count(*) FROM parked_commands"
          + " WHERE consumer_group = ? AND source_partition = ANY (?) GROUP BY 1, 2, 3";

  private record Next(LaneSchedule lane, long afterOffset, int limit) {}

  private final DataSource dataSource;
  private final String group;
  private final GroupCommit<ParkedCommand, Void> parks;
  private final GroupCommit<String, Void> removals;
  private final GroupCommit<Next, List<ParkedCommand>> loads;

  /** Starts unsupervised batch threads; tests. */
  public JdbcParkedBacklog(DataSource dataSource, String consumerGroup) {
    this(dataSource, consumerGroup, GroupCommit.Supervision.unsupervised());
  }

  /**
   * Starts its batch threads ({@code herald-parks}, {@code herald-unparks}, {@code
   * herald-parked-loads}).
   */
  public JdbcParkedBacklog(
      DataSource dataSource, String consumerGroup, GroupCommit.Supervision supervision) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.group = Objects.requireNonNull(consumerGroup, "consumerGroup");
    GroupCommit.Listener none = GroupCommit.Listener.NONE;
    this.parks = new GroupCommit<>("parks", MAX_BATCH, this::parkAll, none, supervision);
    this.removals = new GroupCommit<>("unparks", MAX_BATCH, this::removeAll, none, supervision);
    this.loads = new GroupCommit<>("parked-loads", 64, this::loadAll, none, supervision);
  }

  /** False once a batch thread died. */
  public boolean healthy() {
    return parks.healthy() && removals.healthy() && loads.healthy();
  }

  @Override
  public CompletableFuture<Void> park(ParkedCommand command) {
    return parks.submit(command);
  }

  @Override
  public CompletableFuture<List<ParkedCommand>> next(
      LaneSchedule lane, long afterOffset, int limit) {
    return loads.submit(new Next(lane, afterOffset, limit));
  }

  @Override
  public CompletableFuture<Void> remove(String commandId) {
    return removals.submit(commandId);
  }

  @Override
  public Map<LaneSchedule, Integer> counts(Collection<Integer> partitions) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<LaneSchedule, Integer> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(COUNTS)) {
      ps.setString(1, group);
      ps.setArray(2, c.createArrayOf("int4", partitions.toArray(new Integer[0])));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(new LaneSchedule(rs.getInt(1), rs.getString(2), rs.getString(3)), rs.getInt(4));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count parked commands: " + e.getMessage(), e);
    }
    return out;
  }

  private List<Void> parkAll(List<ParkedCommand> batch) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(PARK)) {
        for (ParkedCommand p : batch) {
          SendCommand cmd = p.command();
          ps.setString(1, group);
          ps.setString(2, cmd.commandId().value());
          ps.setString(3, cmd.deviceId());
          ps.setInt(4, p.partition());
          ps.setString(5, p.scheduleKey());
          ps.setLong(6, p.offset());
          ps.setBytes(7, SERDE.serialize(null, cmd));
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return Collections.nCopies(batch.size(), null);
  }

  private List<Void> removeAll(List<String> ids) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(REMOVE)) {
      Array arr = c.createArrayOf("text", ids.toArray(new String[0]));
      ps.setString(1, group);
      ps.setArray(2, arr);
      ps.executeUpdate();
    }
    return Collections.nCopies(ids.size(), null);
  }

  private List<List<ParkedCommand>> loadAll(List<Next> batch) throws SQLException {
    List<List<ParkedCommand>> out = new ArrayList<>(batch.size());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(NEXT)) {
      for (Next n : batch) {
        ps.setString(1, group);
        ps.setString(2, n.lane().deviceId());
        ps.setInt(3, n.lane().partition());
        ps.setString(4, n.lane().scheduleKey());
        ps.setLong(5, n.afterOffset());
        ps.setInt(6, n.limit());
        List<ParkedCommand> got = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            got.add(
                new ParkedCommand(
                    SERDE.deserialize(null, rs.getBytes(2)), n.lane().partition(), rs.getLong(1)));
          }
        }
        out.add(got);
      }
    }
    return out;
  }

  /** Runs what is queued, then stops the batch threads; false when something was left over. */
  public boolean close(Duration timeout) {
    boolean loaded = loads.close(timeout);
    boolean parked = parks.close(timeout);
    return removals.close(timeout) && parked && loaded;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
