package io.herald.scheduler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerMetricsTest {

  @Test
  void shouldExportTheDocumentedPrometheusNamesWhenScraped() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SchedulerMetrics metrics = new SchedulerMetrics(registry);
    SchedulerMetrics.TaskGauges task = metrics.registerTask("0_0");
    task.addActive(ScheduleKind.RECURRING, 2);
    task.addPendingTimers(3);
    metrics.occurrenceFired(ScheduleKind.BROADCAST);
    metrics.commandsEmitted(ScheduleKind.AUTOPOST, 7);
    metrics.scheduleError(ErrorReason.FOREIGN_DEVICE);
    metrics.lateness(Duration.ofMillis(120));
    metrics.deadLetter();
    metrics.recipientSkipped("opted_out");
    task.setDueSoon(new long[] {1, 2, 3, 4}, false);

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("herald_scheduler_active_schedules{kind=\"recurring\"} 2")
        .contains("herald_scheduler_pending_timers 3")
        .contains("herald_scheduler_due_now 0")
        .contains("herald_scheduler_timer_lateness_seconds_bucket")
        .contains("herald_scheduler_occurrences_fired_total{kind=\"broadcast\"} 1")
        .contains("herald_scheduler_commands_emitted_total{kind=\"autopost\"} 7")
        .contains("herald_scheduler_schedule_errors_total{reason=\"foreign_device\"} 1")
        .contains("herald_scheduler_schedule_errors_total{reason=\"unknown_device\"} 0")
        .contains("herald_scheduler_dead_letters_total 1")
        .contains("herald_scheduler_recipients_skipped_total{reason=\"opted_out\"} 1")
        .contains("herald_scheduler_recipients_skipped_total{reason=\"unrenderable\"} 0")
        .contains("herald_scheduler_due_soon{within=\"1m\"} 1")
        .contains("herald_scheduler_due_soon{within=\"60m\"} 4")
        .contains("herald_scheduler_due_soon_capped 0");
  }

  @Test
  void shouldStopCountingATaskWhenItIsUnregistered() {
    SchedulerMetrics metrics = SchedulerMetrics.noop();
    SchedulerMetrics.TaskGauges task = metrics.registerTask("0_1");
    task.addPendingTimers(5);

    metrics.unregisterTask("0_1", task);

    assertThat(metrics.registry().get("herald.scheduler.pending.timers").gauge().value()).isZero();
  }
}
