package io.herald.quickstart;

import io.herald.database.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quick start's PostgreSQL: an embedded server (needs nothing but a JDK, runs as root) with
 * logical replication for Debezium, its data kept under the quick start's folder so a second start
 * finds the previous run's rows. Or an existing server given by {@code HERALD_JDBC_URL}.
 */
public final class LocalPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);

  private final EmbeddedPostgres embedded;
  private final String jdbcUrl;
  private final String user;
  private final String password;

  private LocalPostgres(EmbeddedPostgres embedded, String jdbcUrl, String user, String password) {
    this.embedded = embedded;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** Starts the embedded server in {@code dir} on {@code port}, then applies the migrations. */
  public static LocalPostgres embedded(Path dir, int port) {
    try {
      Files.createDirectories(dir);
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir.resolve("data"))
              .setCleanDataDirectory(false)
              .setPort(port)
              // The default 10 s is too short on a loaded 2-core host (seen once in CI, during a
              // restart in the PostgreSQL fault test).
              .setPGStartupWait(java.time.Duration.ofSeconds(60))
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_wal_senders", "10")
              .setServerConfig("max_replication_slots", "10")
              // CDC latency depends on commits reaching the WAL promptly.
              .setServerConfig("synchronous_commit", "on")
              .start();
      String url = pg.getJdbcUrl("postgres", "postgres");
      Migrations.migrate(url, "postgres", "postgres");
      log.info("PostgreSQL ready: url={} data={}", url, dir.resolve("data"));
      return new LocalPostgres(pg, url, "postgres", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start the embedded PostgreSQL on port "
              + port
              + " (data in "
              + dir
              + "): "
              + e.getMessage()
              + ". Set HERALD_PG_PORT to another port or HERALD_JDBC_URL to an existing server.",
          e);
    }
  }

  /** Uses an existing server (it must run with wal_level=logical); applies the migrations. */
  public static LocalPostgres external(String jdbcUrl, String user, String password) {
    Migrations.migrate(jdbcUrl, user, password);
    log.info("PostgreSQL (external) ready: url={}", jdbcUrl);
    return new LocalPostgres(null, jdbcUrl, user, password);
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
        log.info("PostgreSQL stopped");
      } catch (IOException e) {
        log.warn("Stopping PostgreSQL failed: {}", e.getMessage());
      }
    }
  }
}
