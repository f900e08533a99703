package io.herald.console.read;

import io.herald.console.auth.Principal;
import io.herald.contracts.event.RuleSpec;
import io.herald.scheduler.cli.JdbcRuleReader;
import io.herald.scheduler.cli.StoredRule;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.RuleCompiler;
import io.herald.scheduler.rule.RuleProblem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Definitions as {@code herald status} reads them ({@link DefinitionSql}), filtered by tenant, kind
 * and status, and one definition with its history and its next occurrences (the preview's rule
 * compiler, on the stored row). A tenant-scoped principal never gets another tenant's row: the
 * tenant is part of every statement, not a check after it.
 */
public final class Definitions {

  public static final int LIST_LIMIT = 500;
  public static final int NEXT_OCCURRENCES = 5;

  /** One definition with its totals; {@code reasons} skip reason → count. */
  public record Row(
      String kind,
      UUID id,
      UUID tenant,
      String name,
      String status,
      Instant nextDue,
      long fired,
      long recipients,
      long sent,
      long delivered,
      long read,
      long failed,
      long unknown,
      long expired,
      long skipped,
      Map<String, Long> reasons,
      String lastError) {
    public long pending() {
      return Math.max(0, recipients - sent - failed - unknown - expired - skipped);
    }
  }

  /** One occurrence; {@code recipients} null until the fan-out counted them. */
  public record Occurrence(
      Instant occurrenceAt,
      Instant firedAt,
      Instant completedAt,
      Long recipients,
      long sent,
      long delivered,
      long read,
      long failed,
      long unknown,
      long expired,
      long skipped,
      Map<String, Long> reasons,
      String status) {
    public long pending() {
      return recipients == null
          ? 0
          : Math.max(0, recipients - sent - failed - unknown - expired - skipped);
    }
  }

  /** The rule in words and what comes next, or why it cannot be scheduled. */
  public record Preview(String rule, List<Instant> next, List<String> problems) {}

  /**
   * A definition's newest occurrences ({@link DefinitionSql#HISTORY_LIMIT} at most), newest first,
   * and the count of all of them.
   */
  public record History(List<Occurrence> newest, long count) {}

  /** One definition's page. */
  public record Detail(Row row, List<Occurrence> history, long occurrences, Preview preview) {}

  /** The list filter; null fields do not filter. */
  public record Filter(UUID tenant, String kind, String status) {}

  private final Db db;
  private final JdbcRuleReader rules;

  public Definitions(Db db, JdbcRuleReader rules) {
    this.db = db;
    this.rules = rules;
  }

  public List<Row> list(Principal who, Filter filter) throws SQLException {
    // a tenant session's own tenant replaces whatever the filter asked for
    UUID tenant = who.operator() ? filter.tenant() : who.tenant();
    String sql =
        "SELECT * FROM ("
            + DefinitionSql.definitionsSql(false)
            + ") d WHERE (CAST(? AS uuid) IS NULL OR d.user_id = CAST(? AS uuid))"
            + " AND (CAST(? AS text) IS NULL OR d.kind = CAST(? AS text))"
            + " AND (CAST(? AS text) IS NULL OR d.status = CAST(? AS text))"
            + " ORDER BY d.kind, d.name, d.id LIMIT "
            + LIST_LIMIT;
    List<Row> rows = new ArrayList<>();
    try (Connection c = db.snapshot()) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        Object[] args = {tenant, tenant, filter.kind(), filter.kind(), filter.status()};
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        ps.setObject(6, filter.status());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(row(rs));
          }
        }
      } finally {
        c.rollback();
      }
    }
    return rows;
  }

  /**
   * The definition, or empty when it does not exist or belongs to a tenant {@code who} cannot see.
   */
  public Optional<Detail> detail(Principal who, UUID id, Instant now) throws SQLException {
    Optional<Row> row;
    History history = null;
    try (Connection c = db.snapshot()) {
      try {
        row = find(c, id, who.tenant());
        if (row.isPresent()) {
          history = history(c, row.get());
        }
      } finally {
        c.rollback();
      }
    }
    if (row.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Detail(row.get(), history.newest(), history.count(), preview(id, now)));
  }

  /**
   * Every definition with its totals, unfiltered and unbounded, ordered by kind, name and id: what
   * {@code herald status} lists, on the caller's connection.
   */
  public static List<Row> all(Connection c) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(DefinitionSql.definitionsSql(false));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(row(rs));
      }
    }
    return rows;
  }

  /**
   * The definition with this id, on the caller's connection; empty when no table holds it or, for a
   * non-null {@code tenant}, when another tenant owns it.
   */
  public static Optional<Row> find(Connection c, UUID id, UUID tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT * FROM ("
                + DefinitionSql.definitionsSql(true)
                + ") d WHERE (CAST(? AS uuid) IS NULL OR d.user_id = CAST(? AS uuid))")) {
      for (int i = 1; i <= 3; i++) {
        ps.setObject(i, id);
      }
      ps.setObject(4, tenant);
      ps.setObject(5, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** The definition's newest occurrences and how many it has, on the caller's connection. */
  public static History history(Connection c, Row row) throws SQLException {
    List<Occurrence> newest = new ArrayList<>();
    long count = 0;
    try (PreparedStatement ps = c.prepareStatement(DefinitionSql.historySql(row.kind()))) {
      ps.setObject(1, row.id());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          newest.add(occurrence(rs));
          count = rs.getLong("occurrences");
        }
      }
    }
    return new History(newest, count);
  }

  private Preview preview(UUID id, Instant now) throws SQLException {
    Optional<StoredRule> stored = rules.find(id);
    if (stored.isEmpty()) {
      return new Preview("-", List.of(), List.of());
    }
    StoredRule s = stored.get();
    RuleSpec spec = s.spec();
    Instant createdAt = s.createdAt() == null ? now : s.createdAt();
    Compilation compilation = RuleCompiler.compile(spec, createdAt);
    if (compilation instanceof Compilation.Invalid invalid) {
      return new Preview(
          "-",
          List.of(),
          invalid.problems().stream().map(RuleProblem::message).collect(Collectors.toList()));
    }
    CompiledSchedule schedule = ((Compilation.Valid) compilation).schedule();
    String words;
    if (s.table().equals("broadcasts")) {
      words = spec.scheduledAt() == null ? "now" : "once at " + spec.scheduledAt();
    } else {
      words = schedule.rule().describe() + " (" + schedule.zone().getId() + ")";
    }
    return new Preview(
        words, schedule.upcoming(now, s.executionCount(), NEXT_OCCURRENCES), List.of());
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(
        rs.getString("kind"),
        rs.getObject("id", UUID.class),
        rs.getObject("user_id", UUID.class),
        rs.getString("name"),
        rs.getString("status"),
        instant(rs.getTimestamp("next_due")),
        rs.getLong("fired"),
        rs.getLong("recipients"),
        rs.getLong("sent"),
        rs.getLong("delivered"),
        rs.getLong("read"),
        rs.getLong("failed"),
        rs.getLong("unknown"),
        rs.getLong("expired"),
        rs.getLong("skipped"),
        Reasons.parse(rs.getString("reasons")),
        rs.getString("last_error"));
  }

  private static Occurrence occurrence(ResultSet rs) throws SQLException {
    long count = rs.getLong("recipients");
    Long recipients = rs.wasNull() ? null : count;
    return new Occurrence(
        instant(rs.getTimestamp("occurrence_at")),
        instant(rs.getTimestamp("fired_at")),
        instant(rs.getTimestamp("completed_at")),
        recipients,
        rs.getLong("sent"),
        rs.getLong("delivered"),
        rs.getLong("read"),
        rs.getLong("failed"),
        rs.getLong("unknown"),
        rs.getLong("expired"),
        rs.getLong("skipped"),
        Reasons.parse(rs.getString("reasons")),
        rs.getString("status"));
  }

  static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
