package io.herald.sender.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.sender.delivery.Outcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The names, buckets and tags Grafana's seed-monitoring panels read (issue 20). */
class DeliveryTimesTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final SenderMetrics metrics = new SenderMetrics(registry, List.of("cloud_api"));

  @Test
  void shouldExportQueueTimeInItsBucketWhenADeferredDeliveryIsSentHoursLater() {
    Instant due = Instant.parse("2026-06-01T06:00:00Z");
    metrics.times().sent(due, due.plus(Duration.ofMinutes(150)));

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("herald_sender_queue_time_seconds_bucket{le=\"7200.0\"} 0")
        .contains("herald_sender_queue_time_seconds_bucket{le=\"14400.0\"} 1")
        .contains("herald_sender_queue_time_seconds_bucket{le=\"+Inf\"} 1")
        .contains("herald_sender_queue_time_seconds_count 1")
        .contains("herald_sender_queue_time_seconds_sum 9000.0");
  }

  @Test
  void shouldCountAClockBehindAsZeroQueueTime() {
    Instant due = Instant.parse("2026-06-01T06:00:00Z");
    metrics.times().sent(due, due.minusSeconds(2));

    assertThat(registry.scrape()).contains("herald_sender_queue_time_seconds_bucket{le=\"1.0\"} 1");
  }

  @Test
  void shouldExportSendTimeByAnswerWithEveryAnswerRegisteredUpFront() {
    metrics.times().answered(new Outcome.Sent("wamid.1"), Duration.ofMillis(180));
    metrics.times().answered(new Outcome.Transient("http_503", "busy", null, false), Duration.ZERO);

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("herald_sender_send_time_seconds_bucket{answer=\"sent\",le=\"0.1\"} 0")
        .contains("herald_sender_send_time_seconds_bucket{answer=\"sent\",le=\"0.25\"} 1")
        .contains("herald_sender_send_time_seconds_count{answer=\"transient\"} 1")
        .contains("herald_sender_send_time_seconds_count{answer=\"account_danger\"} 0")
        .contains("herald_sender_commands_received_total 0");
  }
}
