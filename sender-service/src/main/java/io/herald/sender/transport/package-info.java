/**
 * The {@code Transport} port, its adapters (WhatsApp Cloud API, HTTP gateway, simulated) and the
 * pure {@link io.herald.sender.transport.OutcomeClassifier}. Adapters never log tokens, phone
 * numbers or message text. No Kafka or JDBC here.
 */
package io.herald.sender.transport;
