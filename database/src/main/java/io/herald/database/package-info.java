/**
 * Herald's PostgreSQL schema as Flyway migrations ({@code classpath:db/migration}) and the one
 * entry point that applies them; it knows nothing about Kafka or the services.
 */
package io.herald.database;
