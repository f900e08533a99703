package io.herald.bench.infra;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * CPU used over a window, by this JVM (the bench, the schedulers under test and the in-JVM broker)
 * and by the PostgreSQL server. Reported as cores busy: CPU seconds divided by wall seconds, so 1.0
 * is one core fully used and 2.0 is all of this machine.
 */
public final class CpuMeter {

  private final PgCpu pg;
  private long wallStart;
  private long jvmStart;
  private OptionalLong pgStart = OptionalLong.empty();

  public CpuMeter(PgCpu pg) {
    this.pg = pg;
  }

  public CpuMeter start() {
    wallStart = System.nanoTime();
    jvmStart = jvmCpuNanos();
    pgStart = pg.cpuNanos();
    return this;
  }

  public Reading stop() {
    long wall = System.nanoTime() - wallStart;
    double jvm = (jvmCpuNanos() - jvmStart) / (double) wall;
    OptionalLong pgEnd = pg.cpuNanos();
    double pgCores =
        pgStart.isPresent() && pgEnd.isPresent()
            ? (pgEnd.getAsLong() - pgStart.getAsLong()) / (double) wall
            : Double.NaN;
    return new Reading(jvm, pgCores, wall / 1e9);
  }

  /** Process CPU time of this JVM, all threads, from the OS. */
  public static long jvmCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * @param jvmCores cores busy in this JVM (schedulers, bench probe, in-JVM broker)
   * @param pgCores cores busy in PostgreSQL; NaN when not measurable
   */
  public record Reading(double jvmCores, double pgCores, double wallSeconds) {
    public double totalCores() {
      return Double.isNaN(pgCores) ? jvmCores : jvmCores + pgCores;
    }
  }
}
