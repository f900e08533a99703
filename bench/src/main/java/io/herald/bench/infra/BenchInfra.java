package io.herald.bench.infra;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and the PostgreSQL of one bench run, started once and shared by every scenario and
 * every system, so that Herald and its peers meet the same machine, broker and database.
 *
 * <p>Both come from {@code herald-test-support}: the very harness the integration tests use, with
 * the same environment switches ({@code HERALD_TEST_PG_BIN}, {@code HERALD_TEST_JDBC_URL}, {@code
 * HERALD_TEST_INFRA=docker}). {@link #close()} stops the broker; a shutdown hook stops the
 * database.
 */
public final class BenchInfra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BenchInfra.class);

  private final KafkaTestBroker broker;
  private final PostgresTestDatabase database;
  private final PgCpu pgCpu;

  private BenchInfra(KafkaTestBroker broker, PostgresTestDatabase database) {
    this.broker = broker;
    this.database = database;
    this.pgCpu = PgCpu.locate(database);
  }

  /** Starts a broker of its own and the (JVM-wide) shared database. */
  public static BenchInfra start() {
    long t0 = System.nanoTime();
    PostgresTestDatabase db = PostgresTestDatabase.shared();
    // A broker of its own: the bench stops it before exiting, instead of racing JVM shutdown hooks.
    KafkaTestBroker broker = KafkaTestBroker.startPrivate();
    log.info(
        "Infrastructure ready in {} ms: kafka={} postgres={} ({})",
        (System.nanoTime() - t0) / 1_000_000,
        broker.bootstrapServers(),
        db.jdbcUrl(),
        db.mode());
    return new BenchInfra(broker, db);
  }

  public KafkaTestBroker broker() {
    return broker;
  }

  public PostgresTestDatabase database() {
    return database;
  }

  /** Stops the broker; the shared database stops with the JVM (its shutdown hook). */
  @Override
  public void close() {
    broker.close();
  }

  /** CPU time of the PostgreSQL server's processes, when they run on this host. */
  public PgCpu pgCpu() {
    return pgCpu;
  }

  /** A connection pool on the bench database; the caller closes it. */
  public HikariDataSource pool(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(database.jdbcUrl());
    if (database.user() != null) {
      config.setUsername(database.user());
    }
    config.setPassword(database.password());
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    return new HikariDataSource(config);
  }

  /** Runs DDL or other statements, each on its own, in one connection with autocommit. */
  public void execute(List<String> statements) {
    try (Connection c = database.connection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Bench SQL failed: " + e.getMessage(), e);
    }
  }

  /** The server's version and the settings that change write and commit costs. */
  public Map<String, Object> postgresFacts() {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("postgres mode", database.mode().toString());
    try (Connection c = database.connection();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SHOW server_version")) {
        rs.next();
        facts.put("postgres", rs.getString(1));
      }
      for (String setting :
          List.of("fsync", "synchronous_commit", "shared_buffers", "max_connections")) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          facts.put("postgres " + setting, rs.getString(1));
        }
      }
    } catch (SQLException e) {
      facts.put("postgres", "unknown: " + e.getMessage());
    }
    return facts;
  }
}
