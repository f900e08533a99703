/**
 * The test harness other modules use with test scope: an in-JVM Kafka broker, a PostgreSQL with
 * logical replication and Herald's schema, and a fake WhatsApp API on loopback. Production code
 * must never depend on this package.
 */
package io.herald.testsupport;
