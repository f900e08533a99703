package io.herald.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away PostgreSQL cluster built with the machine's own {@code initdb} and {@code pg_ctl}: a
 * temporary directory, a loopback-only listener on a free port, trust authentication, and the
 * settings Debezium needs ({@code wal_level=logical}, WAL senders and replication slots).
 *
 * <p>PostgreSQL refuses to run as root, so when the JVM is root the tools run as the {@code
 * postgres} OS user through {@code runuser}, and the directory is handed to that user.
 */
final class PrivatePostgresCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PrivatePostgresCluster.class);

  static final String SUPERUSER = "postgres";
  private static final String OS_USER = "postgres";
  private static final long COMMAND_TIMEOUT_SECONDS = 120;
  private static final int PORT_ATTEMPTS = 3;

  private final Path pgBin;
  private final Path baseDir;
  private final int port;
  private final boolean asOtherUser;

  private PrivatePostgresCluster(Path pgBin, Path baseDir, int port, boolean asOtherUser) {
    this.pgBin = pgBin;
    this.baseDir = baseDir;
    this.port = port;
    this.asOtherUser = asOtherUser;
  }

  /**
   * Creates and starts a cluster; fails with a {@link TestInfraException} saying what to fix.
   *
   * @param requestedPort a fixed port (already checked free) or empty to pick one
   */
  static PrivatePostgresCluster start(Path pgBin, OptionalInt requestedPort) {
    boolean root = runningAsRoot();
    Path baseDir = createBaseDir(root);
    try {
      runChecked(
          pgBin,
          root,
          baseDir,
          "initdb",
          List.of(
              pgBin.resolve("initdb").toString(),
              "-D",
              dataDir(baseDir).toString(),
              "-U",
              SUPERUSER,
              "--auth=trust",
              "-E",
              "UTF8",
              // The C locale exists everywhere; a locale the host lacks would fail initdb.
              "--no-locale",
              // A throw-away cluster need not survive a power cut.
              "--no-sync"));
      for (int attempt = 1; ; attempt++) {
        int port = requestedPort.isPresent() ? requestedPort.getAsInt() : freePort();
        PrivatePostgresCluster cluster = new PrivatePostgresCluster(pgBin, baseDir, port, root);
        StartOutcome outcome = cluster.startServer();
        if (outcome == StartOutcome.STARTED) {
          return cluster;
        }
        if (requestedPort.isPresent()) {
          throw new TestInfraException(
              PostgresSettings.portTakenMessage(port, PostgresSettings.PG_PORT));
        }
        if (attempt == PORT_ATTEMPTS) {
          throw new TestInfraException(
              "The private PostgreSQL cluster found no free port after "
                  + PORT_ATTEMPTS
                  + " attempts; set "
                  + PostgresSettings.PG_PORT
                  + " to a port you know is free");
        }
        // Another process took the free port between our probe and the server's bind: retry.
        log.info("Port taken before PostgreSQL could bind it, retrying: port={}", port);
      }
    } catch (RuntimeException e) {
      deleteRecursively(baseDir);
      throw e;
    }
  }

  int port() {
    return port;
  }

  Path baseDir() {
    return baseDir;
  }

  /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its directory. */
  @Override
  public void close() {
    try {
      runChecked(
          pgBin,
          asOtherUser,
          baseDir,
          "pg_ctl stop",
          List.of(
              pgBin.resolve("pg_ctl").toString(),
              "-D",
              dataDir(baseDir).toString(),
              "-m",
              "fast",
              "-w",
              "stop"));
      log.info("Private PostgreSQL cluster stopped: port={}", port);
    } catch (RuntimeException e) {
      log.warn("Private PostgreSQL cluster did not stop cleanly: port={} dir={}", port, baseDir, e);
    } finally {
      deleteRecursively(baseDir);
    }
  }

  private enum StartOutcome {
    STARTED,
    PORT_TAKEN
  }

  private StartOutcome startServer() {
    String serverOptions =
        String.join(
            " ",
            "-p " + port,
            "-c listen_addresses=127.0.0.1",
            // The socket goes in our own directory: the system one (/var/run/postgresql) may be
            // missing or belong to the system cluster.
            "-k " + baseDir,
            "-c wal_level=logical",
            "-c max_wal_senders=10",
            "-c max_replication_slots=20",
            // Throw-away data: skip flushes, but keep commit semantics so CDC sees commits at once.
            "-c fsync=off",
            "-c full_page_writes=off",
            "-c synchronous_commit=on");
    Path logFile = baseDir.resolve("postgresql.log");
    ProcessResult result =
        run(
            asOtherUser,
            List.of(
                pgBin.resolve("pg_ctl").toString(),
                "-D",
                dataDir(baseDir).toString(),
                "-l",
                logFile.toString(),
                "-w",
                "-t",
                "60",
                "-o",
                serverOptions,
                "start"));
    if (result.exitCode == 0) {
      log.info("Private PostgreSQL cluster started: port={} dir={}", port, baseDir);
      return StartOutcome.STARTED;
    }
    String serverLog = readQuietly(logFile);
    if (serverLog.contains("Address already in use")) {
      return StartOutcome.PORT_TAKEN;
    }
    throw new TestInfraException(
        "pg_ctl start failed (exit "
            + result.exitCode
            + ") for the private cluster of "
            + PostgresSettings.PG_BIN
            + "="
            + pgBin
            + ":\n"
            + result.output
            + "\nserver log:\n"
            + serverLog
            + "\nFix the cause above or unset "
            + PostgresSettings.PG_BIN
            + " to use the embedded PostgreSQL");
  }

  private static Path createBaseDir(boolean root) {
    Path dir;
    try {
      dir = Files.createTempDirectory("herald-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary directory for PostgreSQL", e);
    }
    if (root) {
      try {
        UserPrincipal owner =
            dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(dir, owner);
      } catch (UserPrincipalNotFoundException e) {
        deleteRecursively(dir);
        throw new TestInfraException(
            "The tests run as root, and PostgreSQL refuses root: "
                + PostgresSettings.PG_BIN
                + " needs the '"
                + OS_USER
                + "' OS user to run initdb and pg_ctl. Install postgresql-15 (which creates it),"
                + " run the tests as another user, or unset "
                + PostgresSettings.PG_BIN
                + " to use the embedded PostgreSQL");
      } catch (IOException e) {
        deleteRecursively(dir);
        throw new UncheckedIOException("Cannot hand " + dir + " to the " + OS_USER + " user", e);
      }
    }
    return dir;
  }

  private static Path dataDir(Path baseDir) {
    return baseDir.resolve("data");
  }

  private static void runChecked(
      Path pgBin, boolean asOtherUser, Path baseDir, String what, List<String> command) {
    ProcessResult result = run(asOtherUser, command);
    if (result.exitCode != 0) {
      throw new TestInfraException(
          what
              + " failed (exit "
              + result.exitCode
              + ") for the private cluster of "
              + PostgresSettings.PG_BIN
              + "="
              + pgBin
              + " in "
              + baseDir
              + ":\n"
              + result.output
              + "\nFix the cause above or unset "
              + PostgresSettings.PG_BIN
              + " to use the embedded PostgreSQL");
    }
  }

  private static ProcessResult run(boolean asOtherUser, List<String> command) {
    List<String> full = new ArrayList<>();
    if (asOtherUser) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(command);
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      // Read before waiting: a full pipe would block the child forever.
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new ProcessResult(-1, "timed out after " + COMMAND_TIMEOUT_SECONDS + " s");
      }
      return new ProcessResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      if (asOtherUser) {
        throw new TestInfraException(
            "Cannot run '"
                + String.join(" ", full)
                + "' ("
                + e.getMessage()
                + "): running as root needs runuser (util-linux) to start PostgreSQL as the '"
                + OS_USER
                + "' user; install util-linux, run the tests as another user, or unset "
                + PostgresSettings.PG_BIN,
            e);
      }
      throw new TestInfraException(
          "Cannot run '" + String.join(" ", full) + "' (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestInfraException("Interrupted while running " + full, e);
    }
  }

  private record ProcessResult(int exitCode, String output) {}

  private static boolean runningAsRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "(no server log)";
    } catch (IOException e) {
      return "(server log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.warn("Could not delete the PostgreSQL test directory: dir={}", dir, e);
    }
  }
}
