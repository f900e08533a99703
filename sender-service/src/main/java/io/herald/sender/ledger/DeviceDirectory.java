package io.herald.sender.ledger;

import io.herald.sender.delivery.Device;
import java.util.Optional;

/** Device configuration lookups (port), cached by implementations; thread-safe. */
public interface DeviceDirectory {

  /** The device, at most a refresh interval old; empty when it does not exist. */
  Optional<Device> find(String deviceId);

  /**
   * Sets the device's status to {@code paused} with {@code reason}, in the database and the cache,
   * so that an operator sees it and every sender instance holds the device's commands.
   */
  void pause(String deviceId, String reason);
}
