package io.herald.console.view;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place phone numbers are masked before an operator sees a payload: every E.164 number and
 * every loose run of 8 to 15 digits (spaces or dashes between them allowed) keeps only its country
 * code (when written with {@code +}) and its last 2 digits: {@code +6281234567812} → {@code
 * +62•••••••••12}. It errs towards masking: a long order number is masked too. ISO dates ({@code
 * 2026-12-07}) are left alone, a payload is unreadable without them.
 */
public final class Masking {

  public static final char DOT = '•';

  // not preceded by a digit, '+' or "digit + separator"; not followed by more of the same run
  private static final Pattern RUN =
      Pattern.compile("(?<![\\d+])(?<!\\d[ -])\\+?\\d(?:[ -]?\\d){7,14}(?![ -]?\\d)");
  private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private Masking() {}

  /** {@code text} with every phone-number-like run masked; null stays null. */
  public static String mask(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = RUN.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      String run = m.group();
      m.appendReplacement(
          out, Matcher.quoteReplacement(ISO_DATE.matcher(run).matches() ? run : maskRun(run)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** One run: separators dropped, the country code (after '+') and the last 2 digits kept. */
  static String maskRun(String run) {
    boolean plus = run.startsWith("+");
    String digits = run.replaceAll("[^0-9]", "");
    int keepFront = plus ? countryCodeLength(digits) : 0;
    StringBuilder sb = new StringBuilder(digits.length() + 1);
    if (plus) {
      sb.append('+');
    }
    sb.append(digits, 0, keepFront);
    for (int i = keepFront; i < digits.length() - 2; i++) {
      sb.append(DOT);
    }
    sb.append(digits, digits.length() - 2, digits.length());
    return sb.toString();
  }

  /** Country calling codes are prefix-free: the first 1-3 digit prefix that is one; else 0. */
  private static int countryCodeLength(String digits) {
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    for (int len = 1; len <= 3 && len < digits.length() - 2; len++) {
      int code = Integer.parseInt(digits.substring(0, len));
      if (!util.getRegionCodesForCountryCode(code).isEmpty()) {
        return len;
      }
    }
    return 0;
  }
}
