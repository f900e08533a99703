package io.herald.scheduler.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recipient parsing, pure. A recipient of a recurring message or broadcast is an E.164 number or a
 * contact id (uuid); one of an auto-post is a group id.
 */
public final class Recipients {

  /** {@code +} then 8–15 digits, the first 1–9. */
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{7,14}");

  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  public static final int MAX_GROUP_ID_LENGTH = 128;

  private Recipients() {}

  /** The canonical E.164 form with separators (space, dash, dot, parentheses) stripped. */
  public static Optional<String> canonicalPhone(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    StringBuilder sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '\t') {
        sb.append(c);
      }
    }
    String s = sb.toString();
    return E164.matcher(s).matches() ? Optional.of(s) : Optional.empty();
  }

  public static boolean isContactId(String raw) {
    return raw != null && UUID.matcher(raw.trim()).matches();
  }

  /** Contact ids are compared lower-case: Postgres prints uuids lower-case. */
  public static String canonicalContactId(String raw) {
    return raw.trim().toLowerCase(Locale.ROOT);
  }

  public static boolean isGroupId(String raw) {
    return raw != null && !raw.isBlank() && raw.length() <= MAX_GROUP_ID_LENGTH;
  }

  /**
   * The canonical recipient of an individual schedule: E.164 or lower-case contact id; empty when
   * it is neither. A leading {@code 00} is refused, not silently turned into {@code +}.
   */
  public static Optional<String> canonicalIndividual(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    if (isContactId(raw)) {
      return Optional.of(canonicalContactId(raw));
    }
    return canonicalPhone(raw);
  }

  /**
   * Marks the {@code n}th listing ({@code n >= 2}) of {@code canonical} in one definition: it stays
   * in the stored list, so the occurrence's recipients are what the tenant listed, and the fan-out
   * skips it with reason {@code duplicate_recipient} under an id of its own. The prefix is a
   * control character, which no validated recipient contains.
   */
  public static String duplicateMark(String canonical, int n) {
    return DUPLICATE_PREFIX + n + "#" + canonical;
  }

  /** True for an entry {@link #duplicateMark} wrote. */
  public static boolean isDuplicateMark(String entry) {
    return entry.startsWith(DUPLICATE_PREFIX);
  }

  /** The recipient a duplicate mark stands for. */
  public static String duplicated(String mark) {
    return mark.substring(mark.indexOf('#', DUPLICATE_PREFIX.length()) + 1);
  }

  /**
   * {@code canonical} with every listing after the first replaced by its {@link #duplicateMark}
   * (same size, same order).
   */
  public static List<String> markDuplicates(List<String> canonical) {
    Map<String, Integer> seen = new HashMap<>();
    List<String> out = new ArrayList<>(canonical.size());
    for (String c : canonical) {
      int n = seen.merge(c, 1, Integer::sum);
      out.add(n == 1 ? c : duplicateMark(c, n));
    }
    return out;
  }

  private static final String DUPLICATE_PREFIX = "\u0001dup#";
}
