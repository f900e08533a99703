package io.herald.scheduler.topology;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Tells a failure caused by one record's content (set the record aside, carry on) from one of the
 * infrastructure (let the stream thread die, the process exit and the orchestrator restart it):
 * only the latter may stop the scheduler.
 */
final class RecordFailures {

  private RecordFailures() {}

  /**
   * True for what a record's content can cause: any runtime exception of our own code or the
   * libraries it calls with that content, a serializer refusing it, and a stack overflow. False for
   * Kafka and Streams failures (a store, the broker, a fenced producer, a migrated task) and for
   * every other {@link Error}: those are not the record's fault and retrying elsewhere helps.
   */
  static boolean isRecordFailure(Throwable t) {
    if (t instanceof StackOverflowError) {
      return true;
    }
    if (t instanceof Error) {
      return false;
    }
    if (t instanceof SerializationException) {
      return true;
    }
    return t instanceof RuntimeException && !(t instanceof KafkaException);
  }
}
