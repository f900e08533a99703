/**
 * What the receiver decides about one request, as pure functions: the signature of a POST, the
 * subscription handshake, the key of a body. Imports only java.* and Jackson; no HTTP server, no
 * Kafka.
 */
package io.herald.webhook.check;
