package io.herald.testsupport;

import io.herald.database.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL database with Herald's schema and logical replication, for integration tests.
 *
 * <p>Chosen by environment (see {@link PostgresSettings} for precedence):
 *
 * <ul>
 *   <li>{@code HERALD_TEST_JDBC_URL} (+ {@code HERALD_TEST_JDBC_USER}, {@code
 *       HERALD_TEST_JDBC_PASSWORD}): an existing server, used as is;
 *   <li>{@code HERALD_TEST_INFRA=docker} or {@code -Dherald.test.infra=docker}: a Testcontainers
 *       {@code postgres:15} container;
 *   <li>{@code HERALD_TEST_PG_BIN=/usr/lib/postgresql/15/bin}: a private cluster from those
 *       binaries ({@code HERALD_TEST_PG_PORT} fixes its port);
 *   <li>otherwise an embedded PostgreSQL (zonky), which needs nothing but a JDK.
 * </ul>
 *
 * <p>{@link #shared()} starts one per JVM, applies the migrations once, and stops it at JVM exit.
 * Tests clean up with {@link #truncateAll()} rather than a fresh server.
 */
public final class PostgresTestDatabase {

  private static final Logger log = LoggerFactory.getLogger(PostgresTestDatabase.class);

  /** Where the database comes from. */
  public enum Mode {
    /** An existing server named by {@code HERALD_TEST_JDBC_URL}. */
    EXTERNAL,
    /** A private cluster from {@code HERALD_TEST_PG_BIN}. */
    PRIVATE_CLUSTER,
    /** zonky's embedded PostgreSQL (the default). */
    EMBEDDED,
    /** A Testcontainers container. */
    DOCKER
  }

  static final String DATABASE = "herald";
  private static final String FLYWAY_HISTORY_TABLE = "flyway_schema_history";

  private static final Object SHARED_LOCK = new Object();
  private static PostgresTestDatabase shared;
  private static RuntimeException sharedFailure;

  private final Mode mode;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String host;
  private final int port;
  private final String database;
  private final PGSimpleDataSource dataSource;
  private final AutoCloseable server;
  private final AtomicBoolean closed = new AtomicBoolean();

  PostgresTestDatabase(
      Mode mode, String jdbcUrl, String user, String password, AutoCloseable server) {
    Properties parsed = Driver.parseURL(jdbcUrl, null);
    if (parsed == null) {
      throw new TestInfraException(
          "Not a PostgreSQL JDBC URL: " + PostgresSettings.redact(jdbcUrl));
    }
    this.mode = mode;
    this.jdbcUrl = jdbcUrl;
    // Credentials may sit in the URL (?user=..&password=..); callers such as Debezium need them
    // as separate values.
    this.user = user != null ? user : parsed.getProperty("user");
    this.password = password != null ? password : parsed.getProperty("password");
    this.server = server;
    // A multi-host URL lists hosts and ports comma-separated; the first is the one we talk to.
    this.host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
    this.port = Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]);
    this.database = parsed.getProperty("PGDBNAME", "");
    this.dataSource = new PGSimpleDataSource();
    dataSource.setURL(jdbcUrl);
    if (this.user != null) {
      dataSource.setUser(this.user);
    }
    if (this.password != null) {
      dataSource.setPassword(this.password);
    }
  }

  /**
   * The JVM-wide database: started on first call, migrated once, stopped at JVM exit.
   *
   * @throws TestInfraException when it cannot start, saying which variable to set or what to
   *     install; later calls fail fast with the same cause instead of trying again
   */
  public static PostgresTestDatabase shared() {
    synchronized (SHARED_LOCK) {
      if (shared != null) {
        return shared;
      }
      if (sharedFailure != null) {
        throw new TestInfraException(
            "The shared PostgreSQL test database failed to start earlier: "
                + sharedFailure.getMessage(),
            sharedFailure);
      }
      try {
        PostgresTestDatabase db =
            start(PostgresSettings.fromEnvironment(System.getenv(), TestInfra.dockerRequested()));
        Runtime.getRuntime()
            .addShutdownHook(new Thread(db::close, "herald-postgres-test-database-shutdown"));
        try {
          Migrations.migrate(db.jdbcUrl, db.user, db.password == null ? "" : db.password);
        } catch (RuntimeException e) {
          throw new TestInfraException(
              "Herald's migrations failed on the " + db.mode + " test database: " + e.getMessage(),
              e);
        }
        shared = db;
        return db;
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
  }

  /** Starts (or, for {@link Mode#EXTERNAL}, reaches) a database without migrating it. */
  static PostgresTestDatabase start(PostgresSettings settings) {
    long started = System.nanoTime();
    PostgresTestDatabase db =
        switch (settings.mode()) {
          case EXTERNAL -> PostgresServers.external(settings);
          case PRIVATE_CLUSTER -> PostgresServers.privateCluster(settings);
          case EMBEDDED -> PostgresServers.embedded(settings);
          case DOCKER -> PostgresServers.docker();
        };
    log.info(
        "PostgreSQL test database ready: mode={} url={} walLevel={} startedInMs={}",
        db.mode,
        PostgresSettings.redact(db.jdbcUrl),
        db.walLevel(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return db;
  }

  public Mode mode() {
    return mode;
  }

  /** JDBC URL of the Herald database, without credentials unless the environment put them in. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** From the environment or the URL; null only when neither names one (the driver's default). */
  public String user() {
    return user;
  }

  /** Empty for the trust-authenticated local modes. */
  public String password() {
    return password == null ? "" : password;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** Database name, for example for Debezium's {@code database.dbname}. */
  public String database() {
    return database;
  }

  /** A non-pooling data source: each {@code getConnection()} opens a new connection. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** A new connection; the caller closes it. */
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /**
   * Empties every table of the current schema except Flyway's history, and resets sequences, so
   * that each test starts from the migrated, empty schema.
   */
  public void truncateAll() {
    try (Connection c = connection();
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                  + " WHERE schemaname = current_schema() AND tablename <> '"
                  + FLYWAY_HISTORY_TABLE
                  + "' ORDER BY tablename")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      if (!tables.isEmpty()) {
        s.execute("TRUNCATE TABLE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not truncate the test tables: " + e.getMessage(), e);
    }
  }

  /**
   * Drops a logical replication slot once it is inactive, waiting up to 30 s: after a Debezium
   * engine closes, the server releases the slot only a moment later. Missing slots are fine.
   */
  public void dropReplicationSlot(String slotName) {
    try {
      Awaitility.await("replication slot " + slotName + " dropped")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> tryDropSlot(slotName));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "Replication slot "
              + slotName
              + " stayed active for 30 s; is a CDC engine still running?",
          e);
    }
  }

  /** The server's {@code wal_level}; Debezium needs {@code logical}. */
  public String walLevel() {
    try (Connection c = connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW wal_level")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read wal_level: " + e.getMessage(), e);
    }
  }

  private boolean tryDropSlot(String slotName) throws SQLException {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = ? AND NOT active")) {
      ps.setString(1, slotName);
      ps.executeQuery().close();
    }
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slotName);
      try (ResultSet rs = ps.executeQuery()) {
        return !rs.next();
      }
    }
  }

  private void close() {
    if (!closed.compareAndSet(false, true) || server == null) {
      return;
    }
    try {
      server.close();
    } catch (Exception e) {
      log.warn("PostgreSQL test database did not stop cleanly: mode={}", mode, e);
    }
  }
}
