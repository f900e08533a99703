package io.herald.bench.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time of processes the bench started outside its JVM (a peer's queue server and workers), from
 * {@code /proc/PID/stat}, so that a peer whose work runs elsewhere is not shown as free.
 */
public final class ProcessCpu {

  private static final long NANOS_PER_TICK = 1_000_000_000L / 100; // USER_HZ on Linux

  private ProcessCpu() {}

  /** utime + stime of each live process, summed; empty when {@code /proc} cannot be read. */
  public static OptionalLong cpuNanos(long... pids) {
    long ticks = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may hold spaces; everything after its closing ')' is plain.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(ticks * NANOS_PER_TICK);
  }
}
