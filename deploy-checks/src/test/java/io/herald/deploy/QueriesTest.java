package io.herald.deploy;

import static io.herald.deploy.Repo.at;
import static io.herald.deploy.Repo.list;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the dashboard and the alert rules (the live scrape is DashboardMetricsIT): every
 * query parses and reads a Herald, JVM or process metric; every alert says what it means and where
 * the runbook is, and has a promtool unit test in alerts.test.yml.
 */
class QueriesTest {

  @Test
  void everyQueryParsesAndReadsSomething() {
    Map<String, String> all = Queries.all();
    assertThat(Queries.dashboards()).hasSizeGreaterThanOrEqualTo(15);
    assertThat(Queries.alerts()).hasSizeGreaterThanOrEqualTo(7);
    all.forEach(
        (where, expr) ->
            assertThat(PromQl.parse(expr).selectors())
                .as(where + ": " + expr)
                .isNotEmpty()
                .allMatch(
                    s ->
                        s.metric()
                            .matches(
                                "(herald_(scheduler|sender|webhook)_|jvm_|process_|kafka_|up$).*")));
  }

  @Test
  void everyAlertHasSeverityMeaningRunbookAndAUnitTest() throws Exception {
    String tests = Files.readString(Repo.deploy("prometheus/alerts.test.yml"));
    Map<String, Object> rules = Repo.yaml(Repo.deploy("prometheus/alerts.yml"));
    for (Object group : list(rules.get("groups"), "groups")) {
      for (Object rule : list(at(group, "rules"), "rules")) {
        String alert = (String) at(rule, "alert");
        assertThat(at(rule, "labels", "severity"))
            .as(alert + " severity")
            .isIn("warning", "critical");
        assertThat(at(rule, "annotations", "summary")).as(alert + " summary").isNotNull();
        assertThat(String.valueOf(at(rule, "annotations", "runbook")))
            .as(alert + " runbook")
            .startsWith("README.md#");
        assertThat(tests)
            .as(alert + " has a promtool test")
            .containsPattern("alertname: *" + alert + "\\b");
      }
    }
  }
}
