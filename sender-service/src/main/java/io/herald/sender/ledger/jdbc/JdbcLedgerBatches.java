package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.SendCommand;
import io.herald.sender.ledger.Claim;
import io.herald.sender.ledger.ClaimOwner;
import io.herald.sender.ledger.ClaimRules;
import io.herald.sender.ledger.ClaimRules.Decision;
import io.herald.sender.ledger.ClaimRules.Row;
import io.herald.sender.ledger.Fence;
import io.herald.sender.ledger.Finish;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger.ClaimRequest;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger.FinishRequest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The SQL of {@link JdbcDeliveryLedger}: one batch of claims, finishes or rejections, each in one
 * transaction, with every row passed as arrays so that every batch size uses the same prepared
 * statement. What the group-commit threads run; the ledger owns the queues and the port.
 */
final class JdbcLedgerBatches {

  // rows come in command id order: concurrent batches (other sender instances) lock in one order
  private static final String INSERT_CLAIMS =
      "INSERT INTO deliveries (command_id, user_id, device_id, schedule_kind, schedule_id,"
          + " occurrence_at, recipient, status, attempts, claimed_at, claimed_by, claim_epoch)"
          + " SELECT v.command_id, v.user_id, v.device_id, v.schedule_kind, v.schedule_id,"
          + " v.occurrence_at, v.recipient, 'claimed', 0, v.claimed_at, v.claimed_by,"
          + " v.claim_epoch"
          + " FROM unnest(?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::uuid[],"
          + " ?::timestamptz[], ?::text[], ?::timestamptz[], ?::text[], ?::bigint[])"
          + " AS v(command_id, user_id, device_id, schedule_kind, schedule_id, occurrence_at,"
          + " recipient, claimed_at, claimed_by, claim_epoch)"
          + " ON CONFLICT (command_id) DO NOTHING RETURNING command_id";
  private static final String SELECT_FOR_UPDATE =
      "SELECT command_id, status, attempts, claimed_at FROM deliveries"
          + " WHERE command_id = ANY (?::text[]) ORDER BY command_id FOR UPDATE";
  private static final String RECLAIM =
      "UPDATE deliveries SET status = 'claimed', claimed_at = ?, finished_at = NULL,"
          + " claimed_by = ?, claim_epoch = ? WHERE command_id = ?";
  private static final String MARK_UNKNOWN =
      "UPDATE deliveries SET status = 'unknown', attempts = GREATEST(attempts, 1),"
          + " error_code = 'unknown', error_message = ?, finished_at = ?, claimed_by = ?,"
          + " claim_epoch = ? WHERE command_id = ?";
  private static final String FINISH_ALL =
      "UPDATE deliveries d SET status = v.status, attempts = v.attempts,"
          + " transport_message_id = v.transport_message_id, error_code = v.error_code,"
          + " error_message = v.error_message, finished_at = v.finished_at,"
          + " sent_as = COALESCE(v.sent_as, d.sent_as)"
          + " FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[],"
          + " ?::timestamptz[], ?::text[], ?::bigint[], ?::text[])"
          + " AS v(command_id, status, attempts, transport_message_id, error_code, error_message,"
          + " finished_at, claimed_by, claim_epoch, sent_as)"
          + " WHERE d.command_id = v.command_id AND d.status IN ('claimed', 'unknown')"
          + " AND d.claimed_by IS NOT DISTINCT FROM v.claimed_by"
          + " AND d.claim_epoch IS NOT DISTINCT FROM v.claim_epoch"
          + " RETURNING d.command_id";

  private final DataSource dataSource;

  JdbcLedgerBatches(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * One claim batch in one transaction (what the batch thread runs). Claims whose partition epoch
   * is not current are answered {@link Claim.Kind#LOST} and write nothing; the epochs stay locked
   * until the batch commits.
   */
  List<Claim> claimAll(List<ClaimRequest> batch) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<ClaimOwner> owners = new ArrayList<>(batch.size());
        batch.forEach(r -> owners.add(r.owner()));
        Map<String, Long> epochs = JdbcFences.lockEpochs(c, owners);
        List<ClaimRequest> live = new ArrayList<>(batch.size());
        for (ClaimRequest r : batch) {
          ClaimOwner o = r.owner();
          if (ClaimRules.current(o, epochs.get(JdbcFences.key(o.group(), o.partition())))) {
            live.add(r);
          }
        }
        List<Decision> decisions = live.isEmpty() ? List.of() : claimLive(c, live);
        c.commit();
        List<Claim> out = new ArrayList<>(batch.size());
        int next = 0;
        for (ClaimRequest r : batch) {
          boolean isLive = next < live.size() && live.get(next) == r;
          out.add(isLive ? decisions.get(next++).claim() : Claim.lost());
        }
        return out;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  private static List<Decision> claimLive(Connection c, List<ClaimRequest> live)
      throws SQLException {
    // the first claim of each id inserts; a repeated id is decided against the row it left
    Map<String, ClaimRequest> firsts = new TreeMap<>();
    List<ClaimRules.Request> requests = new ArrayList<>(live.size());
    for (ClaimRequest r : live) {
      firsts.putIfAbsent(r.command().commandId().value(), r);
      requests.add(new ClaimRules.Request(r.command().commandId().value(), r.mode(), r.now()));
    }
    Set<String> inserted = insertClaims(c, firsts.values());
    List<String> conflicts = new ArrayList<>();
    for (String id : firsts.keySet()) {
      if (!inserted.contains(id)) {
        conflicts.add(id);
      }
    }
    Map<String, Row> existing = conflicts.isEmpty() ? Map.of() : lockRows(c, conflicts);
    List<Decision> decisions = ClaimRules.decide(requests, inserted, existing);
    writeDecisions(c, live, decisions);
    return decisions;
  }

  private static Set<String> insertClaims(Connection c, Iterable<ClaimRequest> firsts)
      throws SQLException {
    List<String> ids = new ArrayList<>();
    List<String> tenants = new ArrayList<>();
    List<String> devices = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    List<String> schedules = new ArrayList<>();
    List<String> occurrences = new ArrayList<>();
    List<String> recipients = new ArrayList<>();
    List<String> claimedAt = new ArrayList<>();
    List<String> claimedBy = new ArrayList<>();
    List<String> claimEpoch = new ArrayList<>();
    for (ClaimRequest r : firsts) {
      SendCommand cmd = r.command();
      ids.add(cmd.commandId().value());
      tenants.add(text(SqlValues.uuidOrNull(cmd.tenantId())));
      devices.add(text(SqlValues.uuidOrNull(cmd.deviceId())));
      kinds.add(cmd.kind() == null ? null : cmd.kind().wire());
      schedules.add(text(SqlValues.scheduleId(cmd.scheduleKey())));
      occurrences.add(text(cmd.occurrenceAt()));
      recipients.add(cmd.recipient());
      claimedAt.add(text(r.now()));
      claimedBy.add(r.owner().claimedBy());
      Long epoch = r.owner().claimEpoch();
      claimEpoch.add(epoch == null ? null : epoch.toString());
    }
    Set<String> inserted = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(INSERT_CLAIMS)) {
      List<List<String>> columns =
          List.of(
              ids,
              tenants,
              devices,
              kinds,
              schedules,
              occurrences,
              recipients,
              claimedAt,
              claimedBy,
              claimEpoch);
      for (int i = 0; i < columns.size(); i++) {
        ps.setArray(i + 1, textArray(c, columns.get(i)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1));
        }
      }
    }
    return inserted;
  }

  private static Map<String, Row> lockRows(Connection c, List<String> ids) throws SQLException {
    Map<String, Row> rows = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(SELECT_FOR_UPDATE)) {
      ps.setArray(1, textArray(c, ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp claimedAt = rs.getTimestamp(4);
          rows.put(
              rs.getString(1),
              new Row(rs.getString(2), rs.getInt(3), SqlValues.instant(claimedAt)));
        }
      }
    }
    return rows;
  }

  // a decided claim makes its owner the row's: the earlier owner's later writes are refused
  private static void writeDecisions(
      Connection c, List<ClaimRequest> requests, List<Decision> decisions) throws SQLException {
    try (PreparedStatement reclaim = c.prepareStatement(RECLAIM);
        PreparedStatement unknown = c.prepareStatement(MARK_UNKNOWN)) {
      boolean anyReclaim = false;
      boolean anyUnknown = false;
      // in batch order, so a repeated id ends in the state its last claim decided
      for (int i = 0; i < decisions.size(); i++) {
        Decision d = decisions.get(i);
        ClaimRequest r = requests.get(i);
        String id = r.command().commandId().value();
        switch (d.write()) {
          case RECLAIM:
            if (anyUnknown) {
              unknown.executeBatch();
              anyUnknown = false;
            }
            reclaim.setTimestamp(1, SqlValues.ts(r.now()));
            reclaim.setString(2, r.owner().claimedBy());
            reclaim.setObject(3, r.owner().claimEpoch(), Types.BIGINT);
            reclaim.setString(4, id);
            reclaim.addBatch();
            anyReclaim = true;
            break;
          case MARK_UNKNOWN:
            if (anyReclaim) {
              reclaim.executeBatch();
              anyReclaim = false;
            }
            unknown.setString(1, "claimed at " + d.unconfirmedSince() + " and never confirmed");
            unknown.setTimestamp(2, SqlValues.ts(r.now()));
            unknown.setString(3, r.owner().claimedBy());
            unknown.setObject(4, r.owner().claimEpoch(), Types.BIGINT);
            unknown.setString(5, id);
            unknown.addBatch();
            anyUnknown = true;
            break;
          case NONE:
          default:
            break;
        }
      }
      if (anyReclaim) {
        reclaim.executeBatch();
      }
      if (anyUnknown) {
        unknown.executeBatch();
      }
    }
  }

  /**
   * One finish batch in one statement (what the batch thread runs); a finish whose owner no longer
   * owns the row writes nothing and is told why ({@link JdbcFences#classify}).
   */
  List<Fence> finishAll(List<FinishRequest> batch) throws SQLException {
    // a repeated id in one batch: the first finish decides, the others find the row final (false)
    Map<String, FinishRequest> firsts = new TreeMap<>();
    for (FinishRequest r : batch) {
      firsts.putIfAbsent(r.id().value(), r);
    }
    List<String> ids = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    List<String> attempts = new ArrayList<>();
    List<String> messageIds = new ArrayList<>();
    List<String> codes = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    List<String> finishedAt = new ArrayList<>();
    List<String> claimedBy = new ArrayList<>();
    List<String> claimEpoch = new ArrayList<>();
    List<String> sentAs = new ArrayList<>();
    for (FinishRequest r : firsts.values()) {
      Finish f = r.finish();
      ids.add(r.id().value());
      statuses.add(f.status().wire());
      attempts.add(Integer.toString(f.attempts()));
      messageIds.add(f.transportMessageId());
      codes.add(f.errorCode());
      messages.add(f.errorMessage());
      finishedAt.add(text(f.finishedAt()));
      claimedBy.add(r.owner().claimedBy());
      Long epoch = r.owner().claimEpoch();
      claimEpoch.add(epoch == null ? null : epoch.toString());
      sentAs.add(f.sentAs());
    }
    Set<String> updated = new HashSet<>();
    try (Connection c = dataSource.getConnection()) {
      // autocommit: the one statement is the batch's transaction
      try (PreparedStatement ps = c.prepareStatement(FINISH_ALL)) {
        List<List<String>> columns =
            List.of(
                ids,
                statuses,
                attempts,
                messageIds,
                codes,
                messages,
                finishedAt,
                claimedBy,
                claimEpoch,
                sentAs);
        for (int i = 0; i < columns.size(); i++) {
          ps.setArray(i + 1, textArray(c, columns.get(i)));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            updated.add(rs.getString(1));
          }
        }
      }
      List<JdbcFences.Refused> refused = new ArrayList<>();
      Set<String> answered = new HashSet<>();
      for (FinishRequest r : batch) {
        String id = r.id().value();
        if (!(answered.add(id) && updated.contains(id))) {
          refused.add(new JdbcFences.Refused(id, r.owner()));
        }
      }
      List<Fence> why = JdbcFences.classify(c, refused);
      List<Fence> out = new ArrayList<>(batch.size());
      answered.clear();
      int next = 0;
      for (FinishRequest r : batch) {
        String id = r.id().value();
        out.add(answered.add(id) && updated.contains(id) ? Fence.HELD : why.get(next++));
      }
      return out;
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static Array textArray(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray(new String[0]));
  }

  private static String text(UUID value) {
    return value == null ? null : value.toString();
  }

  // ISO-8601 with Z: PostgreSQL reads it as the same instant whatever the session time zone
  private static String text(Instant value) {
    return value == null ? null : value.toString();
  }
}
