/**
 * What the console shows, read where Herald keeps it: PostgreSQL in plain JDBC (the statements
 * {@code herald status} shares), the dead-letter topics and the consumer groups' offsets through
 * Kafka's clients. Read-only; every list is bounded.
 */
package io.herald.console.read;
