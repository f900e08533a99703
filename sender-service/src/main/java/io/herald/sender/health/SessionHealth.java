package io.herald.sender.health;

import java.util.Locale;

/** What a probe learnt about a device's gateway session. */
public enum SessionHealth {
  /** The session sends (WAHA {@code WORKING}, Evolution {@code open}). */
  HEALTHY,
  /**
   * Not sending now, may come back by itself or with a QR scan (STARTING, SCAN_QR_CODE, close…).
   */
  DISCONNECTED,
  /**
   * Lost until a human acts: WAHA {@code FAILED}. WAHA does not tell a ban from other failures, so
   * this is "failed or banned"; the device is held exactly like a disconnected one (a ban that is
   * lifted, or a re-pair, comes back as {@code WORKING} and resumes it) and only the metric and the
   * log level differ.
   */
  BANNED,
  /** No usable answer (timeout, HTTP error, unknown word): nothing is changed. */
  UNKNOWN,
  /** The device may not be probed (base URL not allowlisted, bad key variable): never called. */
  REFUSED;

  /** The {@code result} tag of {@code herald.sender.device.probes}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for the answers that hold the device. */
  public boolean lost() {
    return this == DISCONNECTED || this == BANNED;
  }
}
