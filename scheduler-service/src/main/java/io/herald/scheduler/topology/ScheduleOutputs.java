package io.herald.scheduler.topology;

import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import io.herald.scheduler.store.ScheduleState;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a task tells the world about a schedule besides its commands: its new standing on {@code
 * herald.schedule-states}, and a change set aside on the dead-letter topic.
 */
final class ScheduleOutputs {

  private final ProcessorContext<String, Object> context;
  private final SchedulerMetrics metrics;

  ScheduleOutputs(ProcessorContext<String, Object> context, SchedulerMetrics metrics) {
    this.context = context;
    this.metrics = metrics;
  }

  void deadLetter(
      String key, ScheduleChange change, String reason, Throwable failure, Instant now) {
    byte[] value;
    try {
      value =
          Topics.SCHEDULE_CHANGES
              .valueSerde()
              .serializer()
              .serialize(Topics.SCHEDULE_CHANGES.name(), change);
    } catch (RuntimeException e) {
      value = null; // the headers still say where it came from and why
    }
    String topic =
        context.recordMetadata().map(RecordMetadata::topic).orElse(Topics.SCHEDULE_CHANGES.name());
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    RecordHeaders headers =
        DeadLetters.headers(
            null,
            topic,
            partition,
            offset,
            reason,
            failure instanceof Exception ex ? ex : new RuntimeException(failure.toString()));
    DeadLetters.truncatedHeader(headers, value);
    metrics.deadLetter();
    context.forward(
        new Record<String, Object>(key, DeadLetters.value(value), now.toEpochMilli(), headers),
        Names.DEAD_LETTER_SINK);
  }

  /**
   * Publishes the schedule's new standing on {@code herald.schedule-states} when what a user sees
   * changed (status, next due, executions): the projector shows it on the row at once, so a new
   * schedule has its {@code next_send_at} before it first fires and a fixed one leaves {@code
   * invalid}. Invalid definitions are published as their {@link ScheduleError} instead (it carries
   * the reasons); a schedule held for its device shows nothing until decided.
   */
  void publishState(String key, ScheduleState before, ScheduleState after, Instant now) {
    String status = wireStatus(after.status());
    if (status == null) {
      return;
    }
    if (before != null
        && before.status() == after.status()
        && Objects.equals(before.timerDue(), after.timerDue())
        && before.executionCount() == after.executionCount()) {
      return;
    }
    Definition def =
        after.definition() != null
            ? after.definition()
            : before == null ? null : before.definition();
    ScheduleKind kind = def != null ? def.kind() : Definition.kindOf(key);
    if (kind == null) {
      return; // a delete of a key this store never knew, with no kind prefix: nothing to show
    }
    io.herald.contracts.outcome.ScheduleState published =
        new io.herald.contracts.outcome.ScheduleState(
            io.herald.contracts.outcome.ScheduleState.SCHEMA_VERSION,
            key,
            kind,
            def == null ? null : def.tenantId(),
            status,
            after.timerDue(),
            after.executionCount(),
            null,
            def == null ? 0 : def.sourceVersion(),
            now);
    context.forward(
        new Record<>(key, (Object) published, now.toEpochMilli()), Names.SCHEDULE_STATES_SINK);
  }

  private static String wireStatus(ScheduleStatus status) {
    switch (status) {
      case ARMED:
        return "active";
      case FINISHED:
        return "finished";
      case INACTIVE:
        return "inactive";
      case DELETED:
        return "deleted";
      default:
        return null; // INVALID goes out as a ScheduleError; AWAITING_DEVICE is not decided yet
    }
  }
}
