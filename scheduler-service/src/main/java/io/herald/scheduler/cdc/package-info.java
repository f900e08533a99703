/**
 * Change data capture: the Debezium embedded engine reading Herald's definition tables, the mapping
 * of its row changes to canonical events ({@code ScheduleChange}, {@code DeviceInfo}, {@code
 * ContactInfo}), and the Kafka-group lease that keeps exactly one engine streaming across scheduler
 * instances. The only package that imports {@code io.debezium}; it must not import Kafka Streams or
 * JDBC-writing code.
 */
package io.herald.scheduler.cdc;
