package io.herald.bench.infra;

import io.herald.testsupport.PostgresTestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time used by a local PostgreSQL server: the postmaster's own time, the time of the children
 * it has reaped (cutime/cstime: backends that already exited) and the time of its live children,
 * read from {@code /proc}. Empty where the server is not a process of this host (external, Docker
 * on another kernel namespace) or {@code /proc} is absent.
 */
public final class PgCpu {

  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final long postmasterPid;

  private PgCpu(long postmasterPid) {
    this.postmasterPid = postmasterPid;
  }

  static PgCpu locate(PostgresTestDatabase db) {
    long pid = -1;
    try (Connection c = db.connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      long backend = rs.getLong(1);
      long parent = ppid(backend);
      if (parent > 0 && Files.exists(Path.of("/proc", Long.toString(parent), "stat"))) {
        pid = parent;
      }
    } catch (Exception e) {
      pid = -1;
    }
    return new PgCpu(pid);
  }

  public boolean available() {
    return postmasterPid > 0;
  }

  /** Total CPU nanoseconds of the server so far, or empty when unavailable. */
  public OptionalLong cpuNanos() {
    if (!available()) {
      return OptionalLong.empty();
    }
    try {
      long[] own = fields(postmasterPid);
      long ticks = own[0] + own[1] + own[2] + own[3];
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path p : (Iterable<Path>) procs::iterator) {
          String name = p.getFileName().toString();
          if (!name.chars().allMatch(Character::isDigit)) {
            continue;
          }
          long pid = Long.parseLong(name);
          try {
            long[] f = fields(pid);
            if (f[4] == postmasterPid) {
              ticks += f[0] + f[1];
            }
          } catch (IOException | RuntimeException gone) {
            // the process exited while we looked
          }
        }
      }
      return OptionalLong.of(ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  private static long ppid(long pid) throws IOException {
    return fields(pid)[4];
  }

  /** utime, stime, cutime, cstime, ppid from /proc/pid/stat. */
  private static long[] fields(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name (field 2) may hold spaces; everything after its closing ')' is plain.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state); ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    return new long[] {
      Long.parseLong(f[11]),
      Long.parseLong(f[12]),
      Long.parseLong(f[13]),
      Long.parseLong(f[14]),
      Long.parseLong(f[1])
    };
  }
}
