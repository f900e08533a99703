package io.herald.bench.herald;

import io.herald.bench.report.ResultRow;
import java.util.Locale;

/** How {@link StateScaleScenario} writes its result rows: one value per row, with its target. */
final class StateScaleRows {

  private StateScaleRows() {}

  static ResultRow value(String variant, Object value, String unit, String target, String note) {
    return ResultRow.of("state", variant, "herald", false)
        .metric("value", value)
        .metric("unit", unit)
        .metric("target", target)
        .note(note)
        .build();
  }

  static String verdict(double v, double target, String unit) {
    return v <= target
        ? String.format(Locale.ROOT, "met (%.0f %% of target)", 100 * v / target)
        : String.format(
            Locale.ROOT, "MISSED by %.1f × (%,.0f %s over)", v / target, v - target, unit);
  }

  static Object show(java.util.OptionalLong v, long budget) {
    return v.isPresent() ? (Object) v.getAsLong() : "> " + budget;
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static String fmt(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
