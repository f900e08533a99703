package io.herald.sender.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One per-contact frequency cap of a tenant (issue 19): at most {@code max} sends to one contact in
 * any {@code per}. Pure.
 */
public record FrequencyCap(int max, Duration per) {

  /** The longest window a cap may span: 30 days. */
  public static final Duration LONGEST = Duration.ofDays(30);

  /** At most this many caps per tenant. */
  public static final int MAX_CAPS = 8;

  public FrequencyCap {
    if (max < 0 || per == null || per.isNegative() || per.isZero() || per.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException("a cap is max >= 0 sends per 1 hour to 30 days");
    }
  }

  /** {@code "3 per 24 h"}. */
  public String describe() {
    return String.format(Locale.ROOT, "%d per %d h", max, per.toHours());
  }

  /**
   * The cap a contact's sends in the last {@code per} of each cap ({@code counts}, in the caps'
   * order) have reached, or null when another send is allowed.
   */
  public static FrequencyCap reached(List<FrequencyCap> caps, List<Long> counts) {
    for (int i = 0; i < caps.size(); i++) {
      if (counts.get(i) >= caps.get(i).max()) {
        return caps.get(i);
      }
    }
    return null;
  }

  /** The parsed list, or the reason the row cannot be used. */
  public record Parsed(List<FrequencyCap> caps, String problem) {}

  /**
   * Caps from the {@code frequency_caps} items as (max, hours) pairs, null entries meaning a
   * missing or non-integer field; a readable problem instead when one is unusable.
   */
  public static Parsed of(List<Long[]> items) {
    if (items.size() > MAX_CAPS) {
      return new Parsed(
          List.of(), "frequency_caps has " + items.size() + " caps, at most " + MAX_CAPS);
    }
    List<FrequencyCap> caps = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Long max = items.get(i)[0];
      Long hours = items.get(i)[1];
      if (max == null || hours == null || max < 0 || max > 1_000_000 || hours < 1 || hours > 720) {
        return new Parsed(
            List.of(),
            "frequency_caps["
                + i
                + "] must be {\"max\": 0 to 1000000, \"hours\": 1 to 720}, whole numbers");
      }
      caps.add(new FrequencyCap(max.intValue(), Duration.ofHours(hours)));
    }
    return new Parsed(List.copyOf(caps), null);
  }
}
