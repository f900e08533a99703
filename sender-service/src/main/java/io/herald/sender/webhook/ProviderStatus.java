package io.herald.sender.webhook;

import java.util.Locale;

/**
 * What the provider says happened to a message after it accepted it, ranked so that a status only
 * moves forward: sent < delivered < failed < read. A late {@code failed} may follow {@code
 * delivered} (the provider gave up on a later step), and {@code read} is final.
 */
public enum ProviderStatus {
  SENT("sent", 1),
  DELIVERED("delivered", 2),
  FAILED("failed", 3),
  READ("read", 4);

  private final String wire;
  private final int rank;

  ProviderStatus(String wire, int rank) {
    this.wire = wire;
    this.rank = rank;
  }

  /** The word in the webhook and in {@code deliveries.provider_status}. */
  public String wire() {
    return wire;
  }

  public int rank() {
    return rank;
  }

  /** The status of a webhook word or column value; null for null or a word we do not know. */
  public static ProviderStatus fromWire(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    for (ProviderStatus s : values()) {
      if (s.wire.equals(v)) {
        return s;
      }
    }
    return null;
  }
}
