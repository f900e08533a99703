package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

  private static List<String> metrics(String expr) {
    return PromQl.parse(expr).selectors().stream().map(PromQl.Selector::metric).toList();
  }

  @Test
  void histogramQuantileOverRate() {
    PromQl.Reads r =
        PromQl.parse(
            "histogram_quantile(0.99, sum by (le) (rate(herald_scheduler_timer_lateness_seconds_bucket[5m]))) > 2");
    assertThat(metrics("histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 2"))
        .containsExactly("x_bucket");
    assertThat(r.groupingLabels()).containsExactly("le");
  }

  @Test
  void matchersKeywordsAndSubqueries() {
    PromQl.Reads r =
        PromQl.parse(
            "sum(a_total{job=~\"herald-.*\", area=\"heap\"}) > 10000 and deriv(sum(b)[10m:1m]) > 0"
                + " unless on (instance) c offset 5m or vector(0)");
    assertThat(
            metrics(
                "sum(a_total{job=~\"herald-.*\"}) > 1e4 and deriv(sum(b)[10m:1m]) > 0"
                    + " unless on (instance) c offset 5m or vector(0)"))
        .containsExactly("a_total", "b", "c");
    assertThat(r.selectors().get(0).labels()).isEqualTo(Set.of("job", "area"));
    assertThat(r.groupingLabels()).containsExactly("instance");
  }

  @Test
  void stringsAndGroupingAfterTheExpression() {
    assertThat(metrics("sum(rate(x_total{result=\"sum(y)\"}[1m])) by (result)"))
        .containsExactly("x_total");
    assertThat(PromQl.parse("sum(rate(x_total[1m])) by (result, transport)").groupingLabels())
        .containsExactly("result", "transport");
    assertThat(metrics("up == 0")).containsExactly("up");
  }

  @Test
  void refusesNamelessSelectors() {
    assertThatThrownBy(() -> PromQl.parse("sum({__name__=~\"herald_.*\"})"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
