/**
 * The scheduler's typed configuration, read once from the environment with every problem collected.
 * Imports java.* and the runtime module's EnvReader; never Kafka Streams classes (topology/ turns
 * the values into Streams properties).
 */
package io.herald.scheduler.config;
