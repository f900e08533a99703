package io.herald.bench.scenario;

import io.herald.bench.report.ScenarioResult;

/** One benchmark scenario of issue 8; runs Herald and its peers one after another. */
public interface Scenario {

  /** Short name used on the command line ({@code burst}, {@code steady}, ...). */
  String id();

  /** Heading in the results table. */
  String title();

  /** Runs every system of the scenario on the shared infrastructure; returns its rows. */
  ScenarioResult run(BenchContext context) throws Exception;
}
