package io.herald.scheduler.topology;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.DeadLetters;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.schedule.ScheduleValidator;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the raw bytes of {@code herald.schedule-changes} into {@link ScheduleChange}s; a poison
 * record goes to {@code herald.schedule-changes.dlq} with its coordinates and reason in headers,
 * and the next record is processed as usual.
 *
 * <p>Why here and not in a Streams deserialization handler (KIP-1034): a dead letter forwarded to a
 * sink is an ordinary output of the task, inside the same exactly-once transaction as the store
 * writes, and visible in TopologyTestDriver; handler-produced dead letters are not captured by the
 * driver under exactly_once_v2 (checked against 4.3.1), so they could not be tested.
 */
final class ScheduleChangeDecoder implements Processor<String, byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(ScheduleChangeDecoder.class);

  private final SchedulerMetrics metrics;
  private ProcessorContext<String, Object> context;

  ScheduleChangeDecoder(SchedulerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null) {
      // A tombstone on the compacted topic: the schedule is gone.
      context.forward(record.withValue((Object) null), Names.SCHEDULE_CHANGE_PROCESSOR);
      return;
    }
    if (record.key() != null && record.key().length() > Limits.SCHEDULE_KEY_MAX_CHARS) {
      // No row can be told about it (the key is the row's identity) and a key this long would
      // be copied into every store: dead-lettered whole.
      deadLetter(
          record,
          "schedule key has "
              + record.key().length()
              + " characters, at most "
              + Limits.SCHEDULE_KEY_MAX_CHARS,
          null);
      return;
    }
    ScheduleChange change;
    try {
      change =
          Topics.SCHEDULE_CHANGES
              .valueSerde()
              .deserializer()
              .deserialize(Topics.SCHEDULE_CHANGES.name(), record.value());
    } catch (SerializationException e) {
      deadLetter(record, e.getMessage(), e);
      return;
    } catch (RuntimeException | StackOverflowError e) {
      // A value the JSON reader chokes on in some other way (nesting, numbers): same class.
      deadLetter(record, e.toString(), null);
      return;
    }
    if (record.value().length > Limits.MAX_DEFINITION_BYTES
        && change != null
        && change.op() != ChangeOp.DELETE) {
      change = tooLarge(change, record.value().length);
    }
    context.forward(record.withValue((Object) change), Names.SCHEDULE_CHANGE_PROCESSOR);
  }

  /**
   * The same definition without its content, carrying one reason: the validator rejects it, so the
   * row shows "definition too large" and any earlier version stops, while nothing of the oversized
   * value reaches a store or an output.
   */
  static ScheduleChange tooLarge(ScheduleChange c, int bytes) {
    return c.withoutContent(List.of(ScheduleValidator.tooLargeReason(bytes)));
  }

  private void deadLetter(Record<String, byte[]> record, String why, Exception e) {
    metrics.deadLetter();
    String reason = DeadLetters.firstLine(why);
    String topic =
        context.recordMetadata().map(RecordMetadata::topic).orElse(Topics.SCHEDULE_CHANGES.name());
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    RecordHeaders headers =
        DeadLetters.headers(record.headers().toArray(), topic, partition, offset, reason, e);
    DeadLetters.truncatedHeader(headers, record.value());
    String key =
        record.key() == null || record.key().length() <= Limits.SCHEDULE_KEY_MAX_CHARS
            ? record.key()
            : record.key().substring(0, Limits.SCHEDULE_KEY_MAX_CHARS);
    context.forward(
        new Record<String, Object>(
            key, DeadLetters.value(record.value()), record.timestamp(), headers),
        Names.DEAD_LETTER_SINK);
    log.warn(
        "Poison schedule change sent to dead letters: topic={} partition={} offset={} "
            + "key={} reason={}",
        topic,
        partition,
        offset,
        key,
        reason);
  }
}
