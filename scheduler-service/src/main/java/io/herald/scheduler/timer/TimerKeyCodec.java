package io.herald.scheduler.timer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Encodes {@link TimerKey}s so that unsigned lexicographic byte order (what RocksDB and Kafka's
 * {@code Bytes} compare) equals (due instant, schedule key) order.
 *
 * <p>Layout, big-endian: 8 bytes epoch seconds with the sign bit flipped (so instants before 1970
 * still sort before later ones), 4 bytes nanos (0..999,999,999, non-negative so no flip), then the
 * UTF-8 schedule key. The key is last and unbounded; no length prefix is needed because nothing
 * follows it.
 */
public final class TimerKeyCodec {

  /** Bytes of the instant prefix. */
  public static final int PREFIX_LENGTH = 12;

  private TimerKeyCodec() {}

  public static byte[] encode(TimerKey key) {
    byte[] scheduleKey = key.scheduleKey().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(PREFIX_LENGTH + scheduleKey.length)
        .put(instantPrefix(key.dueInstant()))
        .put(scheduleKey)
        .array();
  }

  public static TimerKey decode(byte[] bytes) {
    if (bytes == null || bytes.length <= PREFIX_LENGTH) {
      throw new IllegalArgumentException(
          "not a timer key: " + (bytes == null ? "null" : bytes.length + " bytes"));
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long seconds = buf.getLong() ^ Long.MIN_VALUE;
    int nanos = buf.getInt();
    String scheduleKey =
        new String(bytes, PREFIX_LENGTH, bytes.length - PREFIX_LENGTH, StandardCharsets.UTF_8);
    return new TimerKey(Instant.ofEpochSecond(seconds, nanos), scheduleKey);
  }

  /**
   * The exclusive upper bound of every timer due at or before {@code now}: the bare prefix of
   * {@code now + 1ns}. A bare prefix sorts before every key that extends it, and every key due at
   * or before {@code now} has a strictly smaller prefix. Use as an inclusive range end: no real key
   * equals it, because schedule keys are never empty.
   */
  public static byte[] upperBoundAtOrBefore(Instant now) {
    return instantPrefix(now.plusNanos(1));
  }

  /** The 12-byte sortable prefix of an instant. */
  public static byte[] instantPrefix(Instant instant) {
    return ByteBuffer.allocate(PREFIX_LENGTH)
        .putLong(instant.getEpochSecond() ^ Long.MIN_VALUE)
        .putInt(instant.getNano())
        .array();
  }
}
