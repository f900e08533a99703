package io.herald.sender.lane;

import io.herald.contracts.outcome.DeliveryResult;

/** Where delivery results go (port): {@code herald.delivery-results} in production. */
public interface ResultSink {

  /**
   * Publishes {@code result} asynchronously and runs {@code onDone} once it is acknowledged (or
   * finally failed, which the sink logs and counts: the ledger row stays the truth).
   */
  void publish(DeliveryResult result, Runnable onDone);
}
