package io.herald.contracts.topic;

import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a dead-lettered record: the original headers plus where it came from and why it
 * could not be read, so an operator can find, fix and replay it. One format for every Herald
 * service.
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
      Header[] original, String topic, int partition, long offset, String reason, Exception cause) {
    RecordHeaders headers = new RecordHeaders(keptHeaders(original));
    headers.add(Topics.DLQ_HEADER_TOPIC, utf8(topic));
    headers.add(Topics.DLQ_HEADER_PARTITION, utf8(Integer.toString(partition)));
    headers.add(Topics.DLQ_HEADER_OFFSET, utf8(Long.toString(offset)));
    headers.add(Topics.DLQ_HEADER_REASON, utf8(firstLine(reason)));
    if (cause != null) {
      headers.add(
          Topics.DLQ_HEADER_EXCEPTION,
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
    return ErrorTexts.clip(line, MAX_REASON);
  }

  /**
   * The value to dead-letter: the original bytes, or their first {@link
   * Limits#MAX_DEAD_LETTER_VALUE_BYTES} when larger (then {@link #truncatedHeader} says how large
   * the original was), so the dead-letter write itself can never fail on size.
   */
  public static byte[] value(byte[] original) {
    if (original == null || original.length <= Limits.MAX_DEAD_LETTER_VALUE_BYTES) {
      return original;
    }
    return Arrays.copyOf(original, Limits.MAX_DEAD_LETTER_VALUE_BYTES);
  }

  /** Adds the "original size" header when {@link #value} cut {@code original}. */
  public static void truncatedHeader(RecordHeaders headers, byte[] original) {
    if (original != null && original.length > Limits.MAX_DEAD_LETTER_VALUE_BYTES) {
      headers.add(HEADER_ORIGINAL_BYTES, utf8(Integer.toString(original.length)));
    }
  }

  /** Header naming the original value's size when the dead letter holds only its start. */
  public static final String HEADER_ORIGINAL_BYTES = "herald.dlq.original-bytes";

  /** Original headers above this total are dropped (their count is kept in a header). */
  static final int MAX_ORIGINAL_HEADER_BYTES = 64 * 1024;

  private static Header[] keptHeaders(Header[] original) {
    if (original == null || original.length == 0) {
      return new Header[0];
    }
    long total = 0;
    for (Header h : original) {
      total +=
          (h.key() == null ? 0 : h.key().length()) + (h.value() == null ? 0 : h.value().length);
    }
    if (total <= MAX_ORIGINAL_HEADER_BYTES) {
      return original;
    }
    return new Header[] {
      new RecordHeader(
          "herald.dlq.dropped-headers", utf8(original.length + " headers, " + total + " bytes"))
    };
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
