package io.herald.bench.jmh;

import io.herald.contracts.event.RuleSpec;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.RuleCompiler;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Scenario 6, recurrence maths: next-occurrence computations per second through the scheduler's own
 * API ({@link RuleCompiler#compile} once, then {@link CompiledSchedule#nextAfter}), for a daily, a
 * weekly, a monthly (last day) and a cron rule, each in a zone with DST where it has one.
 *
 * <p>Each call starts from one of 1,024 instants spread over 2020–2035, so the figure is a typical
 * single computation, not a walk that drifts ever further into the future.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RecurrenceBenchmark {

  /** The rules measured; names are the table's variants. */
  @Param({"daily", "weekly", "monthly", "cron"})
  public String rule;

  private CompiledSchedule schedule;
  private final Instant[] from = new Instant[1024];
  private int next;

  static RuleSpec spec(String rule) {
    return switch (rule) {
      case "daily" ->
          new RuleSpec(
              "daily",
              1,
              null,
              null,
              "09:00",
              null,
              null,
              "Europe/Berlin",
              "2020-01-01",
              null,
              null,
              null,
              null,
              null);
      case "weekly" ->
          new RuleSpec(
              "weekly",
              1,
              null,
              null,
              "09:30",
              List.of(1, 3, 5),
              null,
              "America/New_York",
              "2020-01-01",
              null,
              null,
              null,
              null,
              null);
      case "monthly" ->
          new RuleSpec(
              "monthly",
              1,
              null,
              null,
              "18:00",
              null,
              -1,
              "Australia/Sydney",
              "2020-01-01",
              null,
              null,
              null,
              null,
              null);
      case "cron" ->
          new RuleSpec(
              "custom",
              null,
              null,
              "*/15 9-17 * * 1-5",
              null,
              null,
              null,
              "Europe/London",
              "2020-01-01",
              null,
              null,
              null,
              null,
              null);
      default -> throw new IllegalArgumentException("unknown rule " + rule);
    };
  }

  /** Compiles a rule, failing loudly when the spec is not valid (a broken bench, not a result). */
  static CompiledSchedule compile(String rule) {
    Compilation c = RuleCompiler.compile(spec(rule), Instant.parse("2020-01-01T00:00:00Z"));
    if (c instanceof Compilation.Valid valid) {
      return valid.schedule();
    }
    throw new IllegalStateException("bench rule '" + rule + "' does not compile: " + c);
  }

  @Setup
  public void setup() {
    schedule = compile(rule);
    SplittableRandom random = new SplittableRandom(42);
    long lo = Instant.parse("2020-01-02T00:00:00Z").getEpochSecond();
    long hi = Instant.parse("2035-01-01T00:00:00Z").getEpochSecond();
    for (int i = 0; i < from.length; i++) {
      from[i] = Instant.ofEpochSecond(random.nextLong(lo, hi));
    }
  }

  @Benchmark
  public Optional<Instant> nextAfter() {
    Instant start = from[next++ & (from.length - 1)];
    return schedule.nextAfter(start, 0);
  }
}
