package io.herald.bench.infra;

import java.util.List;
import java.util.OptionalLong;

/**
 * CPU over a window when the services run as child JVMs: the children (read from {@code /proc} by
 * PID), this JVM (the in-JVM broker and the bench's producers and readers) and PostgreSQL, each as
 * cores busy (CPU seconds ÷ wall seconds; 2.0 is all of a 2-core machine).
 */
public final class CpuWindow {

  private final PgCpu pg;
  private final List<ChildJvm> children;
  private final long wallStart;
  private final long jvmStart;
  private final OptionalLong pgStart;
  private final OptionalLong childrenStart;

  private CpuWindow(PgCpu pg, List<ChildJvm> children) {
    this.pg = pg;
    this.children = List.copyOf(children);
    this.wallStart = System.nanoTime();
    this.jvmStart = CpuMeter.jvmCpuNanos();
    this.pgStart = pg.cpuNanos();
    this.childrenStart = childrenNanos(this.children);
  }

  /** Starts a window over {@code children} (all alive now and at {@link #stop()}). */
  public static CpuWindow start(PgCpu pg, List<ChildJvm> children) {
    return new CpuWindow(pg, children);
  }

  public Reading stop() {
    double wall = System.nanoTime() - wallStart;
    OptionalLong childrenEnd = childrenNanos(children);
    OptionalLong pgEnd = pg.cpuNanos();
    return new Reading(
        childrenStart.isPresent() && childrenEnd.isPresent()
            ? (childrenEnd.getAsLong() - childrenStart.getAsLong()) / wall
            : Double.NaN,
        (CpuMeter.jvmCpuNanos() - jvmStart) / wall,
        pgStart.isPresent() && pgEnd.isPresent()
            ? (pgEnd.getAsLong() - pgStart.getAsLong()) / wall
            : Double.NaN);
  }

  private static OptionalLong childrenNanos(List<ChildJvm> children) {
    long sum = 0;
    for (ChildJvm c : children) {
      OptionalLong n = c.cpuNanos();
      if (n.isEmpty()) {
        return OptionalLong.empty();
      }
      sum += n.getAsLong();
    }
    return OptionalLong.of(sum);
  }

  /**
   * @param servicesCores the child JVMs together; NaN when one exited inside the window
   * @param benchJvmCores this JVM: broker, bench producers and readers
   * @param pgCores PostgreSQL; NaN when not measurable
   */
  public record Reading(double servicesCores, double benchJvmCores, double pgCores) {
    public double round(double v) {
      return Double.isNaN(v) ? Double.NaN : Math.round(v * 100) / 100.0;
    }
  }
}
