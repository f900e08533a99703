package io.herald.scheduler.topology;

import io.herald.contracts.event.ScheduleChange;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.schedule.ScheduleLifecycle;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates schedule changes: each record goes to the {@link ScheduleLifecycle} through the task's
 * {@link DecisionApplier}, which stores the decision (validated, armed, held, rejected, stopped). A
 * change whose content makes that fail is set aside, never the task. Registers the {@link
 * DueTimerPunctuation} that fires timers and fans out.
 */
final class ScheduleChangeProcessor implements Processor<String, ScheduleChange, String, Object> {

  private static final Logger log = LoggerFactory.getLogger(ScheduleChangeProcessor.class);

  private final SchedulerConfig config;
  private final NowSource nowSource;
  private final SchedulerMetrics metrics;

  private ProcessorContext<String, Object> context;
  private SchedulerMetrics.TaskGauges gauges;
  private DecisionApplier applier;

  ScheduleChangeProcessor(SchedulerConfig config, SchedulerMetrics metrics) {
    this(config, metrics, NowSource.streamsClock());
  }

  ScheduleChangeProcessor(SchedulerConfig config, SchedulerMetrics metrics, NowSource nowSource) {
    this.nowSource = nowSource;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.gauges = metrics.registerTask(context.taskId());
    this.applier =
        new DecisionApplier(
            new ScheduleLifecycle(config.maxRecipients(), config.deviceWait()),
            context,
            metrics,
            gauges,
            nowSource);
    applier.stores().initGauges();
    DueTimerPunctuation punctuation = new DueTimerPunctuation(applier, context, config, metrics);
    context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, punctuation);
  }

  @Override
  public void close() {
    metrics.unregisterTask(context.taskId(), gauges);
  }

  @Override
  public void process(Record<String, ScheduleChange> record) {
    String key = record.key();
    if (key == null || key.isBlank()) {
      log.warn("Schedule change without a key ignored: {}", applier.coordinates());
      return;
    }
    try {
      applier.change(key, record.value(), applier.now());
    } catch (RuntimeException | StackOverflowError e) {
      if (!RecordFailures.isRecordFailure(e)) {
        throw e;
      }
      applier.setAside(key, record.value(), e, "change");
    }
  }
}
