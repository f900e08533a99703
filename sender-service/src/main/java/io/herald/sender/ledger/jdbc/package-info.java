/**
 * The JDBC adapters of the {@link io.herald.sender.ledger} ports on PostgreSQL: the delivery ledger
 * on {@code deliveries} ({@code JdbcDeliveryLedger} with its batch SQL and attempt marks), the
 * cached device directory, the opt-out lookup, and the {@code GroupCommit} batch threads they
 * share. The only sender package besides the projector that may touch JDBC; must not import Kafka.
 * The app wires these; the lanes see only the ports.
 */
package io.herald.sender.ledger.jdbc;
