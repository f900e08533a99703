package io.herald.sender.delivery;

import io.herald.contracts.command.SendCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The checks a command passes before it is claimed for a call, in this order: not past its
 * deadline; device known; device of the command's tenant; device configuration usable; device
 * active (else held, not decided). Pure: the device and the instant are passed in.
 *
 * <p>The deadline is checked before the device is looked up ({@link #expiry}), so an expired
 * command never waits for the device directory.
 */
public final class PreChecks {

  private final Duration pausedRecheck;

  /**
   * @param pausedRecheck how long a held command waits before its device is looked at again
   */
  public PreChecks(Duration pausedRecheck) {
    this.pausedRecheck = Objects.requireNonNull(pausedRecheck, "pausedRecheck");
  }

  /** All checks in order; for callers that already hold the device. */
  public PreCheck check(SendCommand cmd, Optional<Device> device, Instant now) {
    return expiry(cmd, now).orElseGet(() -> withDevice(cmd, device, now));
  }

  /**
   * {@link PreCheck.Decided} expired when {@code now} is past the command's not-after, else empty.
   */
  public Optional<PreCheck> expiry(SendCommand cmd, Instant now) {
    if (expired(cmd, now)) {
      return Optional.of(new PreCheck.Decided(Verdict.expired()));
    }
    return Optional.empty();
  }

  /** The checks that need the device ({@code device} empty: not found). */
  public PreCheck withDevice(SendCommand cmd, Optional<Device> device, Instant now) {
    if (device.isEmpty()) {
      return new PreCheck.Decided(Verdict.failed("unknown_device", "device not found"));
    }
    Device d = device.get();
    if (!sameTenant(d.tenantId(), cmd.tenantId())) {
      return new PreCheck.Decided(
          Verdict.failed("tenant_mismatch", "device belongs to another tenant"));
    }
    if (!d.usable()) {
      return new PreCheck.Decided(Verdict.failed("invalid_device_config", d.unusableReason()));
    }
    if (!d.active()) {
      return new PreCheck.Hold(d, now.plus(pausedRecheck));
    }
    return new PreCheck.Proceed(d);
  }

  /** True when {@code now} is strictly after the command's not-after (none: never expires). */
  public static boolean expired(SendCommand cmd, Instant now) {
    return cmd.notAfter() != null && now.isAfter(cmd.notAfter());
  }

  /** Tenant ids compare trimmed and case-insensitively; a missing one matches nothing. */
  static boolean sameTenant(String deviceTenant, String commandTenant) {
    if (deviceTenant == null || commandTenant == null) {
      return false;
    }
    return deviceTenant
        .trim()
        .toLowerCase(Locale.ROOT)
        .equals(commandTenant.trim().toLowerCase(Locale.ROOT));
  }
}
