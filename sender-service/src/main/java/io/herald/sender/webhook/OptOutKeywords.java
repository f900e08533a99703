package io.herald.sender.webhook;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The inbound replies that opt a contact out ({@code HERALD_OPT_OUT_KEYWORDS}): a text whose whole
 * body, trimmed, with inner whitespace collapsed and case ignored, is one of the keywords. A
 * sentence that merely contains one ("don't stop") is not an opt-out. Pure.
 */
public final class OptOutKeywords {

  private static final Pattern SPACES = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  /** Longer texts are never compared: no keyword is that long, and no body is kept. */
  public static final int MAX_TEXT_CHARS = 256;

  private final Set<String> keywords = new LinkedHashSet<>();

  public OptOutKeywords(List<String> keywords) {
    for (String k : keywords) {
      String n = normalize(k);
      if (!n.isEmpty()) {
        this.keywords.add(n);
      }
    }
  }

  /** True when {@code text} is exactly one of the keywords; false for null or an overlong text. */
  public boolean matches(String text) {
    if (text == null || text.length() > MAX_TEXT_CHARS || keywords.isEmpty()) {
      return false;
    }
    return keywords.contains(normalize(text));
  }

  static String normalize(String s) {
    // \s here is Unicode's White_Space (no-break and em spaces too), which strip() alone misses
    return SPACES.matcher(s).replaceAll(" ").strip().toUpperCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return String.join(",", keywords);
  }
}
