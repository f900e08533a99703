package io.herald.sender.ledger;

import io.herald.sender.delivery.Device;
import java.util.Optional;

/**
 * Why a device row can never send as configured (ADR 0014: a variable outside the token namespace,
 * a base URL outside the operator's allowlist, a missing key), or empty. The directory asks it on
 * every load and marks the row {@code invalid} with the reason, so the tenant sees it on the row
 * and no command of that device is claimed. Pure and thread-safe.
 */
@FunctionalInterface
public interface DeviceVetting {

  /** Every row passes: for directories whose devices are vetted elsewhere (tests). */
  DeviceVetting NONE = device -> Optional.empty();

  /** The reason {@code device} cannot send, or empty. */
  Optional<String> problem(Device device);
}
