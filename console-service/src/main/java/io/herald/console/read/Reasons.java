package io.herald.console.read;

import java.util.LinkedHashMap;
import java.util.Map;

/** Skip reasons as {@link DefinitionSql} aggregates them ({@code opted_out=5 invalid=1}). */
public final class Reasons {

  private Reasons() {}

  /** Reason → count, in the statement's order (most frequent first); a non-number counts 0. */
  public static Map<String, Long> parse(String aggregated) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (aggregated == null || aggregated.isBlank()) {
      return out;
    }
    for (String entry : aggregated.trim().split(" +")) {
      int eq = entry.lastIndexOf('=');
      if (eq <= 0) {
        continue;
      }
      long n;
      try {
        n = new java.math.BigDecimal(entry.substring(eq + 1)).longValue();
      } catch (NumberFormatException e) {
        n = 0;
      }
      out.merge(entry.substring(0, eq), n, Long::sum);
    }
    return out;
  }
}
