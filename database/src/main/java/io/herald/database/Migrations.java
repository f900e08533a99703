package io.herald.database;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies Herald's schema migrations with Flyway.
 *
 * <p>Safe to call on every start: already applied versions are skipped, and Flyway's lock keeps two
 * processes from migrating the same database at once.
 */
public final class Migrations {

  /** Where the versioned scripts ({@code V1__schema.sql}, ...) live on the classpath. */
  public static final String LOCATION = "classpath:db/migration";

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /**
   * Migrates the database at {@code jdbcUrl} to the latest version.
   *
   * @param jdbcUrl a {@code jdbc:postgresql:} URL
   * @param user database user; must own (or be allowed to create) Herald's tables
   * @param password the user's password, may be empty for trust authentication
   * @throws org.flywaydb.core.api.FlywayException when a migration fails or history diverges
   */
  public static void migrate(String jdbcUrl, String user, String password) {
    run(Flyway.configure(Migrations.class.getClassLoader()).dataSource(jdbcUrl, user, password));
  }

  /** Migrates the database behind {@code dataSource} to the latest version. */
  public static void migrate(DataSource dataSource) {
    run(Flyway.configure(Migrations.class.getClassLoader()).dataSource(dataSource));
  }

  private static void run(org.flywaydb.core.api.configuration.FluentConfiguration configuration) {
    MigrateResult result =
        configuration
            .locations(LOCATION)
            // A missing script folder means a broken jar, not an empty schema.
            .failOnMissingLocations(true)
            .load()
            .migrate();
    if (result.migrationsExecuted == 0) {
      log.info("Database schema already current: version={}", result.initialSchemaVersion);
    } else {
      log.info(
          "Database migrated: applied={} from={} to={}",
          result.migrationsExecuted,
          result.initialSchemaVersion == null ? "empty" : result.initialSchemaVersion,
          result.targetSchemaVersion);
    }
  }
}
