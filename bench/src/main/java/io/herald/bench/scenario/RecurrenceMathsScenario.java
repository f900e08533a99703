package io.herald.bench.scenario;

import io.herald.bench.jmh.RecurrenceBenchmark;
import io.herald.bench.report.ResultRow;
import io.herald.bench.report.ScenarioResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Scenario 6, recurrence maths, through JMH's Runner API: {@link RecurrenceBenchmark} for each
 * rule. Full mode forks one JVM with 3 warm-up and 5 measured iterations of 1 s; smoke mode runs in
 * this JVM with one short iteration each (a check that it runs, not a measurement).
 */
public final class RecurrenceMathsScenario implements Scenario {

  @Override
  public String id() {
    return "recurrence";
  }

  @Override
  public String title() {
    return "6. Recurrence maths (JMH)";
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    long started = System.currentTimeMillis();
    int forks = ctx.smoke() ? 0 : 1;
    int warmups = ctx.smoke() ? 1 : 3;
    int iterations = ctx.smoke() ? 1 : 5;
    TimeValue time = ctx.smoke() ? TimeValue.milliseconds(200) : TimeValue.seconds(1);
    Options options =
        new OptionsBuilder()
            .include(RecurrenceBenchmark.class.getName() + ".*")
            .forks(forks)
            .warmupIterations(warmups)
            .warmupTime(time)
            .measurementIterations(iterations)
            .measurementTime(time)
            .threads(1)
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();
    ctx.progress(
        "recurrence: JMH, forks=%d warmup=%dx%s measure=%dx%s",
        forks, warmups, time, iterations, time);
    Collection<RunResult> results = new Runner(options).run();
    List<ResultRow> rows = new ArrayList<>();
    for (RunResult r : results) {
      String rule = r.getParams().getParam("rule");
      var score = r.getPrimaryResult();
      rows.add(
          ResultRow.of(id(), rule, "herald", false)
              .metric("nextAfter ops/s", Metrics.round(score.getScore(), 0))
              .metric(
                  "± 99.9% ops/s",
                  Double.isNaN(score.getScoreError())
                      ? "n/a"
                      : (Object) Metrics.round(score.getScoreError(), 0))
              .metric("ns/op", Metrics.round(1e9 / score.getScore(), 1))
              .note(describe(rule))
              .build());
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("forks", forks);
    settings.put("warmup", warmups + " x " + time);
    settings.put("measurement", iterations + " x " + time);
    settings.put("threads", 1);
    return new ScenarioResult(
        id(),
        title(),
        settings,
        rows,
        List.of(
            "Peers: not applicable — db-scheduler and Quartz compute next fire times too, but"
                + " a like-for-like JMH of their schedule classes is not part of issue 8."),
        System.currentTimeMillis() - started);
  }

  private static String describe(String rule) {
    return switch (rule) {
      case "daily" -> "every day 09:00 Europe/Berlin";
      case "weekly" -> "Mon/Wed/Fri 09:30 America/New_York";
      case "monthly" -> "last day of month 18:00 Australia/Sydney";
      case "cron" -> "*/15 9-17 * * 1-5 Europe/London";
      default -> rule;
    };
  }
}
