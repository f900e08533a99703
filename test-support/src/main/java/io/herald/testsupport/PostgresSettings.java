package io.herald.testsupport;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Which PostgreSQL the harness uses, parsed from environment variables. Every problem is collected
 * and reported at once, each naming its variable and what to install, set or unset.
 *
 * <p>Precedence: {@code HERALD_TEST_JDBC_URL} (an existing server) beats Docker, which beats {@code
 * HERALD_TEST_PG_BIN} (a private cluster from local binaries), which beats the default embedded
 * PostgreSQL. Contradicting choices are errors rather than silent precedence.
 *
 * @param user null when unset: the URL may carry it, or the mode has its own
 * @param password null when unset
 * @param port only for the private cluster and embedded modes; empty means "pick a free port"
 */
record PostgresSettings(
    PostgresTestDatabase.Mode mode,
    String jdbcUrl,
    String user,
    String password,
    Path pgBin,
    OptionalInt port) {

  static final String JDBC_URL = "HERALD_TEST_JDBC_URL";
  static final String JDBC_USER = "HERALD_TEST_JDBC_USER";
  static final String JDBC_PASSWORD = "HERALD_TEST_JDBC_PASSWORD";
  static final String PG_BIN = "HERALD_TEST_PG_BIN";
  static final String PG_PORT = "HERALD_TEST_PG_PORT";

  private static final String USE_EMBEDDED = "unset it to use the embedded PostgreSQL";

  static PostgresSettings fromEnvironment(Map<String, String> env, boolean dockerRequested) {
    List<String> errors = new ArrayList<>();
    String jdbcUrl = value(env, JDBC_URL);
    String user = value(env, JDBC_USER);
    String password = value(env, JDBC_PASSWORD);
    String pgBin = value(env, PG_BIN);
    String portText = value(env, PG_PORT);

    if (jdbcUrl != null && pgBin != null) {
      errors.add(
          JDBC_URL
              + " and "
              + PG_BIN
              + " are both set: set only one (an existing server, or a private cluster from"
              + " local binaries)");
    }
    if (dockerRequested && pgBin != null && jdbcUrl == null) {
      errors.add(
          TestInfra.INFRA_ENV
              + "=docker and "
              + PG_BIN
              + "="
              + pgBin
              + " are both set: unset one of them (Docker starts its own PostgreSQL)");
    }
    if (jdbcUrl == null && (user != null || password != null)) {
      errors.add(
          (user != null ? JDBC_USER : JDBC_PASSWORD)
              + " is set without "
              + JDBC_URL
              + ": set "
              + JDBC_URL
              + "=jdbc:postgresql://host:port/database too, or unset it");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      errors.add(
          JDBC_URL
              + "="
              + redact(jdbcUrl)
              + " is not a PostgreSQL JDBC URL: expected jdbc:postgresql://host:port/database,"
              + " or "
              + USE_EMBEDDED);
    }

    PostgresTestDatabase.Mode mode;
    if (jdbcUrl != null) {
      mode = PostgresTestDatabase.Mode.EXTERNAL;
    } else if (dockerRequested) {
      mode = PostgresTestDatabase.Mode.DOCKER;
    } else if (pgBin != null) {
      mode = PostgresTestDatabase.Mode.PRIVATE_CLUSTER;
    } else {
      mode = PostgresTestDatabase.Mode.EMBEDDED;
    }

    Path binDir = pgBin == null ? null : Path.of(pgBin);
    if (binDir != null && jdbcUrl == null) {
      checkBinaries(binDir, pgBin, errors);
    }

    OptionalInt port = OptionalInt.empty();
    if (portText != null) {
      if (mode == PostgresTestDatabase.Mode.EXTERNAL || mode == PostgresTestDatabase.Mode.DOCKER) {
        errors.add(
            PG_PORT
                + "="
                + portText
                + " only applies to the private cluster and the embedded PostgreSQL; "
                + (mode == PostgresTestDatabase.Mode.EXTERNAL
                    ? "the port of " + JDBC_URL + " is part of the URL"
                    : "Docker maps a free port itself")
                + ": unset "
                + PG_PORT);
      } else {
        port = parsePort(portText, errors);
        if (port.isPresent()) {
          checkPortFree(port.getAsInt(), errors);
        }
      }
    }

    if (!errors.isEmpty()) {
      throw new TestInfraException(
          "PostgreSQL for tests is misconfigured:\n  - " + String.join("\n  - ", errors));
    }
    return new PostgresSettings(mode, jdbcUrl, user, password, binDir, port);
  }

  /** The URL with any {@code password=} parameter masked, fit for messages and logs. */
  static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** The message for a port that something else already listens on. */
  static String portTakenMessage(int port, String variable) {
    return "Port "
        + port
        + " ("
        + variable
        + "="
        + port
        + ") is already in use on 127.0.0.1: stop what listens there, choose another port, or"
        + " unset "
        + variable
        + " to pick a free port";
  }

  private static void checkBinaries(Path binDir, String raw, List<String> errors) {
    if (!Files.isDirectory(binDir)) {
      errors.add(
          PG_BIN
              + "="
              + raw
              + " is not a directory: install postgresql-15 (binaries in"
              + " /usr/lib/postgresql/15/bin) or "
              + USE_EMBEDDED);
      return;
    }
    for (String tool : List.of("initdb", "pg_ctl")) {
      Path executable = binDir.resolve(tool);
      if (!Files.exists(executable)) {
        errors.add(
            PG_BIN + "=" + raw + " has no " + tool + ": install postgresql-15 or " + USE_EMBEDDED);
      } else if (!Files.isExecutable(executable)) {
        errors.add(
            PG_BIN
                + "="
                + raw
                + ": "
                + executable
                + " is not executable: fix its permissions or "
                + USE_EMBEDDED);
      }
    }
  }

  private static OptionalInt parsePort(String text, List<String> errors) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return OptionalInt.of(port);
      }
    } catch (NumberFormatException e) {
      // reported below with the variable's name
    }
    errors.add(
        PG_PORT
            + "="
            + text
            + " is not a port number (1-65535): fix it or unset it to pick a free port");
    return OptionalInt.empty();
  }

  private static void checkPortFree(int port, List<String> errors) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (BindException e) {
      errors.add(portTakenMessage(port, PG_PORT));
    } catch (IOException e) {
      errors.add(PG_PORT + "=" + port + " cannot be checked on 127.0.0.1 (" + e.getMessage() + ")");
    }
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
