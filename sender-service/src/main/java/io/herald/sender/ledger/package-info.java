/**
 * PostgreSQL side of sending: the {@code DeliveryLedger} port (claim before send, record after) and
 * its JDBC adapter, the cached device directory and the opt-out lookup. One of the two packages
 * that may touch JDBC; must not import Kafka.
 */
package io.herald.sender.ledger;
