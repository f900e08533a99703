package io.herald.console.view;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Text into HTML: everything from a row, a header or a record goes through {@link #esc}, so no
 * stored value is ever markup. Payloads go through {@link #payload}: bounded, non-printables made
 * visible, phone numbers masked.
 */
public final class Html {

  /** Most payload bytes a page shows. */
  public static final int MAX_PAYLOAD_BYTES = 8 * 1024;

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Html() {}

  /** HTML-escaped text (element content and quoted attribute values); null as empty. */
  public static String esc(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** An instant to the second in UTC; {@code -} for none. */
  public static String time(Instant i) {
    return i == null ? "-" : UTC.format(i);
  }

  /**
   * A record value as an operator may see it (not yet HTML-escaped): its first {@link
   * #MAX_PAYLOAD_BYTES} bytes as UTF-8 (invalid bytes and control characters other than newline and
   * tab as {@code \xNN}), phone numbers masked, and a note when cut.
   */
  public static String payload(byte[] value) {
    if (value == null) {
      return "(null)";
    }
    // mask the whole value first: a cut must not leave the unmasked head of a number behind
    String masked = Masking.mask(printable(value));
    byte[] bytes = masked.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_PAYLOAD_BYTES) {
      return masked;
    }
    String head = new String(bytes, 0, MAX_PAYLOAD_BYTES, StandardCharsets.UTF_8);
    // a cut inside a multi-byte character decodes as U+FFFD at the end: drop it
    if (head.endsWith("\uFFFD")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "\n… (" + value.length + " bytes, the first " + MAX_PAYLOAD_BYTES + " shown)";
  }

  /** Bytes as text: valid UTF-8 kept, anything else and control characters escaped. */
  static String printable(byte[] value) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value))
              .toString();
    } catch (CharacterCodingException e) {
      StringBuilder sb = new StringBuilder(value.length * 2);
      for (byte b : value) {
        int u = b & 0xff;
        if (u >= 0x20 && u < 0x7f || u == '\n' || u == '\t') {
          sb.append((char) u);
        } else {
          sb.append(String.format("\\x%02x", u));
        }
      }
      return sb.toString();
    }
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == '\n' || cp == '\t' || !Character.isISOControl(cp)) {
                sb.appendCodePoint(cp);
              } else {
                sb.append(String.format("\\x%02x", cp));
              }
            });
    return sb.toString();
  }
}
