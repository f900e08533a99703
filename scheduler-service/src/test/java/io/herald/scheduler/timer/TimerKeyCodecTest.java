package io.herald.scheduler.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TimerKeyCodecTest {

  /** Pairs where the first key must sort strictly before the second. */
  static Stream<Arguments> orderedPairs() {
    Instant t = Instant.parse("2026-03-29T01:00:00Z");
    return Stream.of(
        Arguments.of(key(t, "recurring:a"), key(t.plusSeconds(1), "recurring:a")),
        Arguments.of(key(t, "recurring:z"), key(t.plusSeconds(1), "broadcast:a")),
        Arguments.of(key(t, "recurring:a"), key(t.plusNanos(1), "recurring:a")),
        Arguments.of(key(t, "recurring:a"), key(t.plusMillis(1), "autopost:a")),
        // equal instants: schedule key decides, shorter prefix first
        Arguments.of(key(t, "broadcast:1"), key(t, "recurring:1")),
        Arguments.of(key(t, "recurring:a"), key(t, "recurring:ab")),
        Arguments.of(key(t, "recurring:A"), key(t, "recurring:a")),
        // non-ASCII keys compare as unsigned UTF-8 bytes after ASCII ones
        Arguments.of(key(t, "recurring:z"), key(t, "recurring:é")),
        // epoch boundaries: the flipped sign bit keeps pre-1970 instants first
        Arguments.of(key(Instant.ofEpochSecond(-1), "k"), key(Instant.EPOCH, "k")),
        Arguments.of(key(Instant.ofEpochSecond(-1, 999_999_999), "k"), key(Instant.EPOCH, "k")),
        Arguments.of(key(Instant.EPOCH, "k"), key(Instant.ofEpochSecond(0, 1), "k")),
        Arguments.of(key(Instant.EPOCH, "k"), key(Instant.ofEpochSecond(1), "k")),
        Arguments.of(key(Instant.MIN, "k"), key(Instant.ofEpochSecond(-1), "k")),
        Arguments.of(
            key(Instant.ofEpochSecond(Integer.MAX_VALUE), "k"),
            key(Instant.ofEpochSecond(Integer.MAX_VALUE + 1L), "k")),
        Arguments.of(key(Instant.parse("9999-12-31T23:59:59Z"), "k"), key(Instant.MAX, "k")));
  }

  private static TimerKey key(Instant due, String scheduleKey) {
    return new TimerKey(due, scheduleKey);
  }

  @ParameterizedTest(name = "{0} < {1}")
  @MethodSource("orderedPairs")
  void shouldSortBytesLikeTimeThenKeyWhenKeysDiffer(TimerKey earlier, TimerKey later) {
    byte[] a = TimerKeyCodec.encode(earlier);
    byte[] b = TimerKeyCodec.encode(later);

    assertThat(Arrays.compareUnsigned(a, b)).isNegative();
    assertThat(Arrays.compareUnsigned(b, a)).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("orderedPairs")
  void shouldRoundTripWhenDecodingAnEncodedKey(TimerKey key, TimerKey other) {
    assertThat(TimerKeyCodec.decode(TimerKeyCodec.encode(key))).isEqualTo(key);
    assertThat(TimerKeyCodec.decode(TimerKeyCodec.encode(other))).isEqualTo(other);
  }

  @Nested
  class UpperBound {

    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldIncludeTimersDueExactlyNowWhenBoundIsNow() {
      byte[] bound = TimerKeyCodec.upperBoundAtOrBefore(now);

      assertThat(Arrays.compareUnsigned(TimerKeyCodec.encode(key(now, "recurring:x")), bound))
          .isNegative();
      assertThat(
              Arrays.compareUnsigned(
                  TimerKeyCodec.encode(key(now.minusNanos(1), "recurring:\uffff")), bound))
          .isNegative();
    }

    @Test
    void shouldExcludeTimersDueOneNanoLaterWhenBoundIsNow() {
      byte[] bound = TimerKeyCodec.upperBoundAtOrBefore(now);

      assertThat(Arrays.compareUnsigned(TimerKeyCodec.encode(key(now.plusNanos(1), "a")), bound))
          .isPositive();
    }
  }

  @Test
  void shouldSortLikeTimerKeysWhenManyRandomKeysAreEncoded() {
    Random random = new Random(42);
    List<TimerKey> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      long seconds = random.nextInt(2_000) - 1_000; // straddles the epoch
      keys.add(
          key(
              Instant.ofEpochSecond(seconds, random.nextInt(3)),
              "recurring:" + random.nextInt(50)));
    }
    List<byte[]> encoded = new ArrayList<>(keys.stream().map(TimerKeyCodec::encode).toList());
    encoded.sort(Arrays::compareUnsigned);
    List<TimerKey> expected = new ArrayList<>(keys);
    Collections.sort(
        expected,
        (x, y) -> {
          int c = x.dueInstant().compareTo(y.dueInstant());
          return c != 0
              ? c
              : Arrays.compareUnsigned(
                  x.scheduleKey().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  y.scheduleKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });

    assertThat(encoded.stream().map(TimerKeyCodec::decode).toList()).isEqualTo(expected);
  }

  @Test
  void shouldRejectBytesWhenTooShortForAKey() {
    assertThatThrownBy(() -> TimerKeyCodec.decode(new byte[12]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TimerKey(Instant.EPOCH, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
