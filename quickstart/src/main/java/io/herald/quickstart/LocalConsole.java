package io.herald.quickstart;

import io.herald.console.app.ConsoleApp;
import io.herald.console.app.ConsoleConfig;
import io.herald.console.auth.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The operator console under {@code herald up}: on, on loopback, port 9404. Without {@code
 * HERALD_CONSOLE_TOKENS_FILE} it uses {@code <data-dir>/console-tokens}, written on first use (mode
 * 600) with one operator line and a random token: the token stays in that file, never on the
 * terminal or in a log.
 */
final class LocalConsole {

  static final String TOKENS_FILE_NAME = "console-tokens";

  /** The console that started and the line {@code up} prints for it. */
  record Started(ConsoleApp app, String line) {}

  private LocalConsole() {}

  /** The quick start's console settings under whatever the user set ({@code HERALD_CONSOLE_*}). */
  static Map<String, String> env(
      String bootstrap, LocalPostgres pg, Path tokensFile, Map<String, String> env) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("HERALD_CONSOLE_ENABLED", "true");
    defaults.put("HERALD_CONSOLE_PORT", Integer.toString(ConsoleConfig.DEFAULT_PORT));
    defaults.put(
        "HERALD_CONSOLE_METRICS_PORT", Integer.toString(ConsoleConfig.DEFAULT_METRICS_PORT));
    defaults.put("HERALD_CONSOLE_BIND_ADDRESS", "127.0.0.1");
    defaults.put("HERALD_CONSOLE_TOKENS_FILE", tokensFile.toString());
    defaults.put("HERALD_CONSOLE_BOOTSTRAP_SERVERS", bootstrap);
    defaults.put("HERALD_CONSOLE_JDBC_URL", pg.jdbcUrl());
    defaults.put("HERALD_CONSOLE_JDBC_USER", pg.user());
    defaults.put("HERALD_CONSOLE_JDBC_PASSWORD", pg.password());
    return UpCommand.overlay(defaults, env, "HERALD_CONSOLE_");
  }

  static Started start(Path dataDir, String bootstrap, LocalPostgres pg, Map<String, String> env) {
    String given = env.get("HERALD_CONSOLE_TOKENS_FILE");
    Path tokens =
        given == null || given.isBlank()
            ? ensureTokensFile(dataDir.resolve(TOKENS_FILE_NAME))
            : Path.of(given);
    ConsoleApp app =
        ConsoleApp.start(ConsoleConfig.fromEnv(env(bootstrap, pg, tokens, env)), Clock.systemUTC());
    return new Started(app, "console: " + app.url() + "  (token in " + tokens + ")");
  }

  /** The file, written with one operator token unless it exists (a second start reuses it). */
  static Path ensureTokensFile(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      String content =
          "# Herald console credentials (name:scope:token); scope * = operator, all tenants.\n"
              + "operator:*:"
              + Sessions.randomToken()
              + "\n";
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException e) {
        return file;
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      Files.writeString(
          file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the console's tokens file " + file + ": " + e.getMessage(), e);
    }
  }
}
