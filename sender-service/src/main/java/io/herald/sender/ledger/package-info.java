/**
 * The ports of the PostgreSQL side of sending, as the lanes and the consumer call them: the {@code
 * DeliveryLedger} (claim before send, record after), the {@code DeviceDirectory}, the {@code
 * OptOuts} lookup, their value types ({@code Claim}, {@code Finish}), their failure ({@code
 * LedgerException}) and the pure claim rules. Nothing here touches JDBC or Kafka, and nothing here
 * imports the adapters: those live in {@code io.herald.sender.ledger.jdbc}, which depends on this
 * package and never the other way.
 */
package io.herald.sender.ledger;
