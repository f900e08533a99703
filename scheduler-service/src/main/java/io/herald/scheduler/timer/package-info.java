/**
 * Timer keys and their byte layout: pure java.* code whose encoding makes RocksDB's byte order
 * equal to time order, so firing is a range scan. Must not import Kafka or any framework.
 */
package io.herald.scheduler.timer;
