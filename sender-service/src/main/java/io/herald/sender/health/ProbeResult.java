package io.herald.sender.health;

import java.util.Objects;

/**
 * One probe's answer.
 *
 * @param health the mapping of the gateway's word
 * @param state the gateway's own word, upper case and bounded (e.g. {@code SCAN_QR_CODE}), or null
 *     when there was none
 * @param detail why the probe gave no usable answer (no secrets, no URLs), or null
 */
public record ProbeResult(SessionHealth health, String state, String detail) {

  public ProbeResult {
    Objects.requireNonNull(health, "health");
  }

  static ProbeResult unknown(String detail) {
    return new ProbeResult(SessionHealth.UNKNOWN, null, detail);
  }

  static ProbeResult refused(String detail) {
    return new ProbeResult(SessionHealth.REFUSED, null, detail);
  }
}
