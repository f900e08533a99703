package io.herald.contracts.topic;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a dead-lettered record: the original headers plus where it came from and why
 * it could not be read, so an operator can find, fix and replay it. One format for every
 * Herald service.
 */
public final class DeadLetters {

  private static final int MAX_REASON = 500;

  private DeadLetters() {}

  /**
   * @param original the record's own headers (kept), may be null or empty
   * @param reason what was wrong; only its first line (at most 500 characters) is kept, so no
   *     payload excerpt leaks into headers
   * @param cause the exception that made the record unreadable, or null when a check (not an
   *     exception) rejected it; recorded as {@code class: first line of its message}
   */
  public static RecordHeaders headers(
      Header[] original, String topic, int partition, long offset, String reason,
      Exception cause) {
    RecordHeaders headers = new RecordHeaders(original == null ? new Header[0] : original);
    headers.add(Topics.DLQ_HEADER_TOPIC, utf8(topic));
    headers.add(Topics.DLQ_HEADER_PARTITION, utf8(Integer.toString(partition)));
    headers.add(Topics.DLQ_HEADER_OFFSET, utf8(Long.toString(offset)));
    headers.add(Topics.DLQ_HEADER_REASON, utf8(firstLine(reason)));
    if (cause != null) {
      headers.add(Topics.DLQ_HEADER_EXCEPTION,
          utf8(firstLine(cause.getClass().getName() + ": " + cause.getMessage())));
    }
    return headers;
  }

  /** The first line of {@code s}, at most 500 characters; empty for null. */
  public static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > MAX_REASON ? line.substring(0, MAX_REASON) : line;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
