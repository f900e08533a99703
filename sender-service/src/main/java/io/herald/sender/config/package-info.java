/** The sender's typed configuration, parsed from the environment; imports no Kafka or JDBC. */
package io.herald.sender.config;
