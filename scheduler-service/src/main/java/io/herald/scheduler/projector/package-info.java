/**
 * Write-back of the scheduler's decisions (schedule states, fired occurrences, schedule errors) to
 * the state columns of PostgreSQL's definition rows. One of the two places in the scheduler that
 * touch JDBC; it must not import Debezium or Kafka Streams.
 */
package io.herald.scheduler.projector;
