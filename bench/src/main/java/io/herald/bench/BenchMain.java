package io.herald.bench;

import io.herald.bench.herald.CdcLatencyScenario;
import io.herald.bench.herald.DeviceRateScenario;
import io.herald.bench.herald.RetentionScenario;
import io.herald.bench.herald.ScaleOutScenario;
import io.herald.bench.herald.SenderThroughputScenario;
import io.herald.bench.herald.StateScaleScenario;
import io.herald.bench.infra.BenchInfra;
import io.herald.bench.infra.MachineInfo;
import io.herald.bench.report.JsonWriter;
import io.herald.bench.report.MarkdownWriter;
import io.herald.bench.report.Report;
import io.herald.bench.report.ScenarioResult;
import io.herald.bench.scenario.BenchContext;
import io.herald.bench.scenario.BurstFireScenario;
import io.herald.bench.scenario.DupRaceScenario;
import io.herald.bench.scenario.RecurrenceMathsScenario;
import io.herald.bench.scenario.Scenario;
import io.herald.bench.scenario.SteadyLoadScenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs issue 8's benchmark suite: starts one Kafka broker and one PostgreSQL, runs the chosen
 * scenarios one after another (Herald and its peers on the same infrastructure within each), and
 * writes {@code results.md} and {@code results.json}. See docs/BENCHMARKS.md.
 */
public final class BenchMain {

  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

  static final String DOC_START = "<!-- bench-results:start -->";
  static final String DOC_END = "<!-- bench-results:end -->";

  private BenchMain() {}

  /** Every scenario of issue 8 in its order; the ones that need Herald's apps say so. */
  static List<Scenario> catalogue() {
    return List.of(
        new BurstFireScenario(),
        new SteadyLoadScenario(),
        new DupRaceScenario(),
        new StateScaleScenario(),
        new CdcLatencyScenario(),
        new SenderThroughputScenario(),
        new DeviceRateScenario(),
        new RetentionScenario(),
        new RecurrenceMathsScenario(),
        new ScaleOutScenario());
  }

  public static void main(String[] args) {
    int code;
    try {
      code = run(args).exitCode();
    } catch (IllegalArgumentException e) {
      System.err.println("herald-bench: " + e.getMessage() + "\n\n" + BenchOptions.USAGE);
      code = 2;
    }
    // Stops the shared broker and database through their shutdown hooks.
    System.exit(code);
  }

  /** The outcome of a run: where the results went, and whether every scenario ran. */
  public record Outcome(Report report, Path markdown, Path json, List<String> failures) {
    public int exitCode() {
      return failures.isEmpty() ? 0 : 1;
    }
  }

  /** Runs the suite in this JVM (the smoke IT calls this; {@link #main} adds System.exit). */
  public static Outcome run(String... args) {
    BenchOptions options = BenchOptions.parse(args);
    if (options.help()) {
      System.out.print(BenchOptions.USAGE);
      return new Outcome(null, null, null, List.of());
    }
    List<Scenario> chosen = choose(options.scenarios());
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    log.info(
        "herald-bench {} run: scenarios {}",
        options.smoke() ? "smoke" : "full",
        chosen.stream().map(Scenario::id).toList());
    try (BenchInfra infra = BenchInfra.start()) {
      return runScenarios(options, args, chosen, infra, startedAt, t0);
    }
  }

  private static Outcome runScenarios(
      BenchOptions options,
      String[] args,
      List<Scenario> chosen,
      BenchInfra infra,
      Instant startedAt,
      long t0) {
    Map<String, Object> machine = MachineInfo.machine();
    machine.putAll(infra.postgresFacts());
    machine.put("kafka broker", "1 combined KRaft node in the bench JVM (test harness)");

    String runId = Long.toString(startedAt.toEpochMilli(), 36);
    BenchContext ctx =
        new BenchContext(
            infra,
            options.smoke(),
            runId,
            java.util.Set.copyOf(options.systems()),
            options.stateSize());
    List<ScenarioResult> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Scenario s : chosen) {
      long st = System.currentTimeMillis();
      try {
        log.info("scenario {} ({}) starting", s.id(), s.title());
        ScenarioResult r = s.run(ctx);
        results.add(r);
        log.info("scenario {} done in {} ms", s.id(), System.currentTimeMillis() - st);
      } catch (Exception | Error e) {
        log.error("scenario {} failed", s.id(), e);
        failures.add(s.id() + ": " + e);
        results.add(
            new ScenarioResult(
                s.id(),
                s.title(),
                Map.of(),
                List.of(),
                List.of("FAILED: " + e),
                System.currentTimeMillis() - st));
      }
    }

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("mode", ctx.mode());
    settings.put("scenarios", String.join(",", chosen.stream().map(Scenario::id).toList()));
    settings.put(
        "systems", options.systems().isEmpty() ? "all" : String.join(",", options.systems()));
    settings.put("command", "java -jar bench/target/herald-bench.jar " + String.join(" ", args));
    Report report =
        new Report(
            startedAt,
            (System.nanoTime() - t0) / 1_000_000,
            ctx.mode(),
            machine,
            MachineInfo.versions(),
            settings,
            results);
    try {
      Files.createDirectories(options.out());
      Path md = options.out().resolve("results.md");
      Path json = options.out().resolve("results.json");
      String markdown = MarkdownWriter.render(report);
      Files.writeString(md, markdown, StandardCharsets.UTF_8);
      Files.writeString(json, JsonWriter.render(report), StandardCharsets.UTF_8);
      if (options.doc().isPresent()) {
        replaceSection(options.doc().get(), markdown);
      }
      log.info("results written: {} and {} ({} s)", md, json, report.elapsedMillis() / 1000);
      return new Outcome(report, md, json, failures);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Could not write the results: " + e.getMessage(), e);
    }
  }

  static List<Scenario> choose(List<String> ids) {
    List<Scenario> all = catalogue();
    if (ids.isEmpty()) {
      return all;
    }
    List<Scenario> chosen = new ArrayList<>();
    for (String id : ids) {
      chosen.add(
          all.stream()
              .filter(s -> s.id().equals(id))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown scenario '"
                              + id
                              + "'; known: "
                              + all.stream().map(Scenario::id).toList())));
    }
    return chosen;
  }

  /** Replaces what lies between the two markers of {@code doc} with {@code markdown}. */
  static void replaceSection(Path doc, String markdown) throws IOException {
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int start = text.indexOf(DOC_START);
    int end = text.indexOf(DOC_END);
    if (start < 0 || end < start) {
      throw new IOException(doc + " has no " + DOC_START + " … " + DOC_END + " section");
    }
    String updated =
        text.substring(0, start + DOC_START.length())
            + "\n"
            + markdown
            + "\n"
            + text.substring(end);
    Files.writeString(doc, updated, StandardCharsets.UTF_8);
  }
}
