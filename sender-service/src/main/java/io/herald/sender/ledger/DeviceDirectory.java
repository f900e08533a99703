package io.herald.sender.ledger;

import io.herald.sender.delivery.Device;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Device configuration lookups (port), cached by implementations; thread-safe. Answers
 * asynchronously so that a lane never holds a thread on the database: a cached device may answer
 * with a completed future; a failed lookup fails with {@link LedgerException}. Dependent stages may
 * run on the implementation's own thread: hand further work to another executor.
 */
public interface DeviceDirectory {

  /** The device, at most a refresh interval old; empty when it does not exist. */
  CompletableFuture<Optional<Device>> find(String deviceId);

  /**
   * Sets the device's status to {@code paused} with {@code reason}, in the database and the cache,
   * so that an operator sees it and every sender instance holds the device's commands. Completes
   * once the database write is done.
   */
  CompletableFuture<Void> pause(String deviceId, String reason);
}
