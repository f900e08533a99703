/**
 * The test harness other modules use with test scope: an in-JVM Kafka broker, a PostgreSQL with
 * logical replication and Herald's schema, a fake WhatsApp API on loopback and a fake webhook
 * sender (the provider's side of webhooks). Production code must never depend on this package.
 */
package io.herald.testsupport;
