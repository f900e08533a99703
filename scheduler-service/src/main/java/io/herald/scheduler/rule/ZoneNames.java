package io.herald.scheduler.rule;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The IANA zone names this JVM knows, and a guess at the one a user meant when a name is wrong. */
final class ZoneNames {

  private static final Set<String> ZONE_IDS = new TreeSet<>(ZoneId.getAvailableZoneIds());

  private ZoneNames() {}

  static boolean isKnown(String id) {
    return ZONE_IDS.contains(id);
  }

  /** A zone the user probably meant: same name in other case, a unique prefix, or a typo. */
  static String suggest(String id) {
    String lower = id.toLowerCase(Locale.ROOT);
    List<String> prefixed = new ArrayList<>();
    String closest = null;
    int closestDistance = Integer.MAX_VALUE;
    boolean tie = false;
    for (String zone : ZONE_IDS) {
      String candidate = zone.toLowerCase(Locale.ROOT);
      String city = candidate.substring(candidate.lastIndexOf('/') + 1);
      if (candidate.equals(lower) || city.equals(lower)) {
        return zone;
      }
      if (lower.length() >= 4 && candidate.startsWith(lower)) {
        prefixed.add(zone);
      }
      int distance = editDistance(lower, candidate);
      if (distance < closestDistance) {
        closest = zone;
        closestDistance = distance;
        tie = false;
      } else if (distance == closestDistance) {
        tie = true;
      }
    }
    if (prefixed.size() == 1) {
      return prefixed.get(0);
    }
    return closestDistance <= 2 && !tie ? closest : null;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
