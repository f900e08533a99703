/**
 * The delivery decision, pure: the vocabulary (devices as the sender sees them, delivery modes,
 * error classes, classified transport outcomes) and the rules that turn a command, its device and
 * the transport's answer into the next step. Imports only {@code java.*} and {@code
 * io.herald.contracts}; no Kafka, JDBC or HTTP types, and never calls {@code now()}.
 */
package io.herald.sender.delivery;
