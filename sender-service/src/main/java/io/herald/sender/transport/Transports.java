package io.herald.sender.transport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The adapters this sender runs, by {@code devices.transport} value. */
public final class Transports {

  private final Map<String, Transport> byKind = new LinkedHashMap<>();
  private final String defaultKind;

  /**
   * @param defaultKind used for devices whose {@code transport} is null
   */
  public Transports(List<Transport> transports, String defaultKind) {
    for (Transport t : transports) {
      byKind.put(t.kind(), t);
    }
    this.defaultKind = defaultKind;
  }

  /** The adapter for {@code kind} (null = the default), or empty when none serves it. */
  public Optional<Transport> forKind(String kind) {
    String k = kind == null || kind.isBlank() ? defaultKind : kind.trim().toLowerCase(Locale.ROOT);
    return Optional.ofNullable(byKind.get(k));
  }

  public List<String> kinds() {
    return List.copyOf(byKind.keySet());
  }
}
