/**
 * Kafka client properties, assembled one way for every client of every service; imports only java.*
 * and kafka-clients' config constants.
 */
package io.herald.runtime.kafka;
