package io.herald.testsupport;

import static io.herald.testsupport.PostgresTestDatabase.DATABASE;

import io.herald.testsupport.PostgresTestDatabase.Mode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts or reaches the server behind a {@link PostgresTestDatabase}, one way per {@link
 * PostgresTestDatabase.Mode}, and creates Herald's database on the servers it starts. Each failure
 * says which variable to set or what to install.
 */
final class PostgresServers {

  private static final Logger log = LoggerFactory.getLogger(PostgresServers.class);

  private static final String DOCKER_IMAGE_PROPERTY = "herald.test.postgres.image";
  private static final int CONNECT_TIMEOUT_SECONDS = 5;

  private PostgresServers() {}

  static PostgresTestDatabase external(PostgresSettings settings) {
    String url = settings.jdbcUrl();
    Properties props = new Properties();
    if (settings.user() != null) {
      props.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      props.setProperty("password", settings.password());
    }
    props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    try (Connection c = DriverManager.getConnection(url, props)) {
      c.isValid(CONNECT_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      throw new TestInfraException(unreachableMessage(url, settings.user(), e), e);
    }
    PostgresTestDatabase db =
        new PostgresTestDatabase(Mode.EXTERNAL, url, settings.user(), settings.password(), null);
    if (!"logical".equals(db.walLevel())) {
      log.warn(
          "The server of {} has wal_level={}: CDC tests need wal_level=logical"
              + " (ALTER SYSTEM SET wal_level = logical; then restart it)",
          PostgresSettings.JDBC_URL,
          db.walLevel());
    }
    return db;
  }

  static String unreachableMessage(String url, String user, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("28")) {
      return PostgresSettings.JDBC_URL
          + "="
          + PostgresSettings.redact(url)
          + " rejected the credentials (user "
          + user
          + "): "
          + e.getMessage()
          + ". Check "
          + PostgresSettings.JDBC_USER
          + " and "
          + PostgresSettings.JDBC_PASSWORD;
    }
    return PostgresSettings.JDBC_URL
        + "="
        + PostgresSettings.redact(url)
        + " is unreachable: "
        + e.getMessage()
        + ". Start that server, fix "
        + PostgresSettings.JDBC_URL
        + ", or unset it to use the embedded PostgreSQL";
  }

  static PostgresTestDatabase privateCluster(PostgresSettings settings) {
    PrivatePostgresCluster cluster =
        PrivatePostgresCluster.start(settings.pgBin(), settings.port());
    try {
      String adminUrl = "jdbc:postgresql://127.0.0.1:" + cluster.port() + "/postgres";
      createDatabase(adminUrl, PrivatePostgresCluster.SUPERUSER);
      String url = "jdbc:postgresql://127.0.0.1:" + cluster.port() + "/" + DATABASE;
      return new PostgresTestDatabase(
          Mode.PRIVATE_CLUSTER, url, PrivatePostgresCluster.SUPERUSER, "", cluster);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  static PostgresTestDatabase embedded(PostgresSettings settings) {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_wal_senders", "10")
            .setServerConfig("max_replication_slots", "20")
            // zonky turns this off for speed; CDC latency tests need commits flushed at once.
            .setServerConfig("synchronous_commit", "on");
    settings.port().ifPresent(builder::setPort);
    EmbeddedPostgres pg;
    try {
      pg = builder.start();
    } catch (IOException | RuntimeException e) {
      String portHint =
          settings.port().isPresent()
              ? " (" + PostgresSettings.PG_PORT + "=" + settings.port().getAsInt() + ")"
              : "";
      throw new TestInfraException(
          "The embedded PostgreSQL (zonky) failed to start"
              + portHint
              + ": "
              + e.getMessage()
              + ". Set "
              + PostgresSettings.PG_BIN
              + "=/usr/lib/postgresql/15/bin to use installed binaries, or "
              + PostgresSettings.JDBC_URL
              + " to use an existing server",
          e);
    }
    try {
      String adminUrl = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
      createDatabase(adminUrl, "postgres");
      String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/" + DATABASE;
      return new PostgresTestDatabase(Mode.EMBEDDED, url, "postgres", "", pg);
    } catch (RuntimeException e) {
      try {
        pg.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  static PostgresTestDatabase docker() {
    String image = System.getProperty(DOCKER_IMAGE_PROPERTY, "postgres:15-alpine");
    PostgreSQLContainer container =
        new PostgreSQLContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
            .withDatabaseName(DATABASE)
            .withUsername("herald")
            .withPassword("herald")
            .withCommand(
                "postgres",
                "-c",
                "wal_level=logical",
                "-c",
                "max_wal_senders=10",
                "-c",
                "max_replication_slots=20",
                "-c",
                "fsync=off");
    try {
      container.start();
    } catch (RuntimeException e) {
      container.close();
      throw new TestInfraException(
          "HERALD_TEST_INFRA=docker (or -Dherald.test.infra=docker) is set but PostgreSQL image "
              + image
              + " did not start: "
              + e.getMessage()
              + ". Start Docker, or unset it to use the embedded PostgreSQL",
          e);
    }
    return new PostgresTestDatabase(
        Mode.DOCKER,
        container.getJdbcUrl(),
        container.getUsername(),
        container.getPassword(),
        container);
  }

  private static void createDatabase(String adminUrl, String user) {
    try (Connection c = DriverManager.getConnection(adminUrl, user, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new TestInfraException(
          "Could not create database " + DATABASE + " at " + adminUrl + ": " + e.getMessage(), e);
    }
  }
}
