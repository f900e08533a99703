package io.herald.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Command-line options of {@link BenchMain}.
 *
 * @param scenarios ids in the order to run them; empty means every scenario
 * @param smoke tiny sizes (under a minute in all): checks that the suite runs, measures nothing
 * @param out directory for results.md and results.json
 * @param systems systems to run (herald, db-scheduler, quartz, bullmq-seed, bullmq-tuned); empty
 *     means all
 * @param doc a Markdown file whose results section (between the markers) is replaced
 * @param stateSize schedules of the {@code state} scenario; 0 means its default (100,000 full, 500
 *     smoke)
 */
record BenchOptions(
    List<String> scenarios,
    List<String> systems,
    boolean smoke,
    Path out,
    Optional<Path> doc,
    boolean help,
    int stateSize) {

  static final List<String> SYSTEMS =
      List.of("herald", "db-scheduler", "quartz", "bullmq-seed", "bullmq-tuned");

  static final String USAGE =
      """
      Usage: java -jar bench/target/herald-bench.jar [options]
        --scenarios a,b,...  scenarios to run, in order (default: all). Known:
                             burst, steady, dup-race, state, cdc, sender, device-rate,
                             retention, recurrence, scale (services as separate JVMs)
        --systems a,b,...    only these systems (default: all): herald, db-scheduler, quartz,
                             bullmq-seed, bullmq-tuned; for profiling one of them — a table
                             for publication runs all
        --smoke              tiny sizes, under a minute: checks the suite runs; not a measurement
        --out DIR            where results.md and results.json go (default: docs/bench-results)
        --doc FILE           also replace the results section of FILE (between
                             <!-- bench-results:start --> and <!-- bench-results:end -->)
        --state-size N       schedules loaded by the state scenario (default 100000;
                             smoke 500); issue 8 asks for 1000000
        --help               this text
      Infrastructure: the test harness's broker (in this JVM) and PostgreSQL (embedded by default;
      HERALD_TEST_PG_BIN, HERALD_TEST_JDBC_URL or HERALD_TEST_INFRA=docker as for the tests).
      BullMQ rows need redis-server, node and npm on PATH (skipped with a note otherwise); the
      bench starts its own redis-server on loopback and runs npm ci in bench/bullmq once.
      """;

  /** Parses; throws IllegalArgumentException with a readable message on bad input. */
  static BenchOptions parse(String[] args) {
    List<String> scenarios = new ArrayList<>();
    List<String> systems = new ArrayList<>();
    boolean smoke = false;
    boolean help = false;
    Path out = Path.of("docs", "bench-results");
    Optional<Path> doc = Optional.empty();
    int stateSize = 0;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--smoke" -> smoke = true;
        case "--help", "-h" -> help = true;
        case "--scenarios" -> {
          for (String s : value(args, ++i, a).split(",")) {
            if (!s.isBlank()) {
              scenarios.add(s.trim());
            }
          }
        }
        case "--systems" -> {
          for (String s : value(args, ++i, a).split(",")) {
            if (!s.isBlank()) {
              String system = s.trim();
              if (!SYSTEMS.contains(system)) {
                throw new IllegalArgumentException(
                    "unknown system '" + system + "'; known: " + String.join(", ", SYSTEMS));
              }
              systems.add(system);
            }
          }
        }
        case "--out" -> out = Path.of(value(args, ++i, a));
        case "--doc" -> doc = Optional.of(Path.of(value(args, ++i, a)));
        case "--state-size" -> {
          String v = value(args, ++i, a).replace("_", "").replace(",", "");
          try {
            stateSize = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--state-size needs a number, got '" + v + "'");
          }
          if (stateSize < 100) {
            throw new IllegalArgumentException("--state-size must be at least 100");
          }
        }
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return new BenchOptions(
        List.copyOf(scenarios), List.copyOf(systems), smoke, out, doc, help, stateSize);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
