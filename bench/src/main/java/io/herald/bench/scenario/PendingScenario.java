package io.herald.bench.scenario;

import io.herald.bench.report.ScenarioResult;
import java.util.List;
import java.util.Map;

/**
 * A scenario of issue 8 that needs Herald's services, which are not there yet. It runs nothing and
 * says so in the results, so that the table shows the gap instead of hiding it.
 */
public record PendingScenario(String id, String title, String needs) implements Scenario {

  @Override
  public ScenarioResult run(BenchContext context) {
    return new ScenarioResult(
        id, title, Map.of(), List.of(), List.of("Not built yet: needs " + needs + "."), 0);
  }
}
