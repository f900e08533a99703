package io.herald.quickstart;

import io.herald.console.action.DeviceResume;
import io.herald.scheduler.cli.PreviewCommand;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The {@code herald} command-line tool: one entry point, one subcommand per task a user or an
 * operator reaches for. Wrong arguments get a one-line error and the usage, never a stack trace.
 */
public final class HeraldCli {

  static final String USAGE =
      String.join(
          "\n",
          "usage: herald <command> [options]",
          "",
          "commands:",
          "  up             start Kafka, PostgreSQL, the scheduler and the sender here, with demo data",
          "  preview        print the next occurrences of a rule, or of a stored schedule (--id);",
          "                 --id X --dry-run: its next occurrence as it would go out, read only",
          "  status         definitions with next due, recipients and outcomes; --id: one's history",
          "  devices        devices with their status, pause reason and deliveries",
          "  resume-device  resume a device paused after an account-danger answer",
          "  help           this text; `herald <command> --help` for a command's options",
          "",
          "status, devices and resume-device read PostgreSQL from HERALD_JDBC_URL (+ HERALD_JDBC_USER,",
          "HERALD_JDBC_PASSWORD); by default the quick start's jdbc:postgresql://127.0.0.1:15432/postgres.");

  static final String STATUS_USAGE =
      "usage: herald status [--id DEFINITION_ID]\n\n"
          + "Prints every definition (recurring, broadcast, autopost) with its id, status, next due\n"
          + "time (UTC), occurrences fired, recipients and their outcomes: sent, failed, unknown,\n"
          + "expired, skipped (with the skip reasons), pending (no outcome yet); then every device.\n\n"
          + "  --id DEFINITION_ID  one definition (any kind): its status, last error, next due and\n"
          + "                      totals, then its occurrences newest first (the "
          + StatusView.HISTORY_LIMIT
          + " newest).\n"
          + "                      Exits 1 when no definition has this id.";
  static final String DEVICES_USAGE =
      "usage: herald devices\n\n"
          + "Prints every device: status (active or paused), why it was paused, deliveries in flight\n"
          + "and sent, and the last send.";
  // the console's confirmation page shows the same warning
  static final String RESUME_USAGE =
      "usage: herald resume-device DEVICE_ID\n\n" + wrap(DeviceResume.WARNING, 90);

  // UUID.fromString also takes short forms such as 1-2-3-4-5: an id is written out in full
  private static final Pattern CANONICAL_UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private HeraldCli() {}

  public static void main(String[] args) {
    // Our own logging config by name: the service jars also carry a logback.xml.
    System.setProperty("logback.configurationFile", "herald-cli-logback.xml");
    System.exit(run(List.of(args), System.getenv(), System.out, System.err, true));
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, out, err, false);
  }

  /** {@code ownProcess}: this JVM is the {@code herald} command, so {@code up} owns its signals. */
  static int run(
      List<String> args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      boolean ownProcess) {
    if (args.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String cmd = args.get(0);
    List<String> rest = args.subList(1, args.size());
    boolean help = rest.contains("-h") || rest.contains("--help");
    try {
      switch (cmd) {
        case "up":
          return UpCommand.run(rest, env, out, err, ownProcess);
        case "preview":
          return PreviewCommand.run(rest, out, err, env);
        case "status":
          if (help) {
            out.println(STATUS_USAGE);
            return 0;
          }
          return status(rest, env, out, err);
        case "devices":
          if (help) {
            out.println(DEVICES_USAGE);
            return 0;
          }
          requireNoArgs(rest, DEVICES_USAGE);
          new ProgressView(url(env), user(env), password(env)).devices().forEach(out::println);
          return 0;
        case "resume-device":
          if (help) {
            out.println(RESUME_USAGE);
            return 0;
          }
          return resume(rest, env, out);
        case "help":
        case "-h":
        case "--help":
          out.println(USAGE);
          return 0;
        default:
          err.println("herald: unknown command '" + cmd + "'");
          err.println(USAGE);
          return 2;
      }
    } catch (UsageError e) {
      err.println("herald " + cmd + ": " + e.getMessage());
      err.println(e.usage);
      return 2;
    } catch (SQLException e) {
      err.println(
          "herald "
              + cmd
              + ": cannot read PostgreSQL at "
              + url(env)
              + ": "
              + firstLine(e.getMessage())
              + " (is `herald up` running, or HERALD_JDBC_URL set?)");
      return 1;
    }
  }

  private static int status(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
      throws SQLException {
    UUID id = statusId(args);
    if (id == null) {
      new ProgressView(url(env), user(env), password(env)).snapshot().forEach(out::println);
      return 0;
    }
    Optional<List<String>> lines = new StatusView(url(env), user(env), password(env)).detail(id);
    if (lines.isEmpty()) {
      err.println("herald status: no definition with id " + id);
      return 1;
    }
    lines.get().forEach(out::println);
    return 0;
  }

  /** The {@code --id} of {@code status} ({@code --id X} or {@code --id=X}); null without one. */
  static UUID statusId(List<String> args) {
    if (args.isEmpty()) {
      return null;
    }
    String value;
    if (args.get(0).equals("--id")) {
      if (args.size() < 2) {
        throw new UsageError("--id needs a DEFINITION_ID", STATUS_USAGE);
      }
      value = args.get(1);
      requireNoArgs(args.subList(2, args.size()), STATUS_USAGE);
    } else if (args.get(0).startsWith("--id=")) {
      value = args.get(0).substring("--id=".length());
      requireNoArgs(args.subList(1, args.size()), STATUS_USAGE);
    } else {
      throw new UsageError("unexpected argument '" + shown(args.get(0)) + "'", STATUS_USAGE);
    }
    if (!CANONICAL_UUID.matcher(value).matches()) {
      throw new UsageError("'" + shown(value) + "' is not a definition id (a UUID)", STATUS_USAGE);
    }
    return UUID.fromString(value);
  }

  /** An argument echoed in an error: one bounded line. */
  private static String shown(String arg) {
    return StatusFormat.clean(arg, 60);
  }

  private static int resume(List<String> args, Map<String, String> env, PrintStream out)
      throws SQLException {
    if (args.size() != 1) {
      throw new UsageError(
          args.isEmpty() ? "a DEVICE_ID is required" : "expected one DEVICE_ID", RESUME_USAGE);
    }
    UUID id;
    try {
      id = UUID.fromString(args.get(0));
    } catch (IllegalArgumentException e) {
      throw new UsageError("'" + args.get(0) + "' is not a device id (a UUID)", RESUME_USAGE);
    }
    try (Connection c = DriverManager.getConnection(url(env), user(env), password(env))) {
      c.setAutoCommit(false);
      DeviceResume.Resumed r =
          DeviceResume.resume(c, id, null)
              .orElseThrow(() -> new UsageError("no device with id " + id, RESUME_USAGE));
      c.commit();
      out.println("device " + id + " (" + r.name() + "): " + r.previousStatus() + " -> active");
    }
    return 0;
  }

  /** Words in lines of at most {@code width} characters. */
  static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder();
    int line = 0;
    for (String word : text.split(" ")) {
      if (line > 0 && line + 1 + word.length() > width) {
        out.append('\n');
        line = 0;
      } else if (line > 0) {
        out.append(' ');
        line++;
      }
      out.append(word);
      line += word.length();
    }
    return out.toString();
  }

  private static void requireNoArgs(List<String> args, String usage) {
    if (!args.isEmpty()) {
      throw new UsageError("unexpected argument '" + shown(args.get(0)) + "'", usage);
    }
  }

  static String url(Map<String, String> env) {
    String v = env.get("HERALD_JDBC_URL");
    return v == null || v.isBlank() ? "jdbc:postgresql://127.0.0.1:15432/postgres" : v;
  }

  private static String user(Map<String, String> env) {
    return env.getOrDefault("HERALD_JDBC_USER", "postgres");
  }

  private static String password(Map<String, String> env) {
    return env.getOrDefault("HERALD_JDBC_PASSWORD", "postgres");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static final class UsageError extends RuntimeException {
    final String usage;

    UsageError(String message, String usage) {
      super(message);
      this.usage = usage;
    }
  }
}
