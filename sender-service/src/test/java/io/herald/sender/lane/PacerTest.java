package io.herald.sender.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.PacingSpec;
import io.herald.sender.lane.Pacer.AttemptResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PacerTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final PacingPolicy policy = PacingPolicy.defaults();
  private final Pacer pacer = new Pacer(clock, new SplittableRandom(42), policy);

  /** Sends n messages to distinct recipients as soon as allowed; returns the gaps between them. */
  private List<Duration> gaps(PacingSpec spec, int n, Double maxPerSecond) {
    List<Duration> gaps = new ArrayList<>();
    Instant last = null;
    for (int i = 0; i < n; i++) {
      String recipient = "+62800000" + i;
      Instant at = pacer.earliestFor(recipient, maxPerSecond);
      if (at.isAfter(clock.instant())) {
        clock.set(at);
      }
      if (last != null) {
        gaps.add(Duration.between(last, clock.instant()));
      }
      last = clock.instant();
      assertThat(pacer.reserve(spec, "recurring:a", recipient, maxPerSecond, true)).isNotNull();
      pacer.onResult(spec, recipient, AttemptResult.SUCCESS);
    }
    return gaps;
  }

  static Stream<Arguments> fixedGaps() {
    return Stream.of(
        Arguments.of("manual 2 s", new PacingSpec("manual", 2, false, null, null), 2000L),
        Arguments.of("manual 0 = no pacing", PacingSpec.none(), 0L),
        Arguments.of("manual null delay", new PacingSpec("manual", null, false, null, null), 0L),
        Arguments.of("auto quiet device", new PacingSpec("auto", null, false, null, null), 5000L),
        Arguments.of("null type is auto", new PacingSpec(null, null, false, null, null), 5000L),
        Arguments.of("unknown type is auto", new PacingSpec("turbo", 0, false, null, null), 5000L),
        Arguments.of(
            "adaptive with delay", new PacingSpec("adaptive", 1, false, null, null), 1000L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixedGaps")
  void shouldKeepTheConfiguredGapWhenNoJitter(String name, PacingSpec spec, long expectedMillis) {
    // first message at once, then the fixed gap (auto grows with volume, so look at 3 only)
    assertThat(pacer.earliestFor("+6280", null)).isBeforeOrEqualTo(T0);
    List<Duration> gaps = gaps(spec, 3, null);
    assertThat(gaps)
        .allSatisfy(g -> assertThat(g.toMillis()).isBetween(expectedMillis, expectedMillis + 40));
  }

  @Test
  void shouldStayWithinJitterBoundsWhenRandomized() {
    PacingSpec spec = new PacingSpec("manual", 4, true, null, null);
    List<Duration> gaps = gaps(spec, 200, null);
    assertThat(gaps).allSatisfy(g -> assertThat(g.toMillis()).isBetween(4000L, 6000L));
    // jitter really varies
    assertThat(gaps.stream().distinct().count()).isGreaterThan(50);
  }

  @Test
  void shouldAddUpToOneSecondOfJitterWhenDelayIsZeroAndRandomized() {
    List<Duration> gaps = gaps(new PacingSpec("manual", 0, true, null, null), 100, null);
    assertThat(gaps).allSatisfy(g -> assertThat(g.toMillis()).isBetween(0L, 1000L));
    assertThat(gaps.stream().distinct().count()).isGreaterThan(10);
  }

  @Test
  void shouldNeverGoBelowFloorWhenAutoWithJitter() {
    PacingPolicy fast =
        new PacingPolicy(
            Duration.ofSeconds(6), Duration.ofMillis(100), Duration.ofSeconds(3), 16, 0.9);
    Pacer p = new Pacer(clock, new SplittableRandom(1), fast);
    for (int i = 0; i < 50; i++) {
      assertThat(p.delay(new PacingSpec("auto", null, true, null, null)))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void shouldSlowDownAutoWhenDeviceIsBusy() {
    PacingSpec auto = new PacingSpec("auto", null, false, null, null);
    Duration quiet = pacer.delay(auto);
    gaps(new PacingSpec("manual", 0, false, null, null), 1000, null); // 1000 messages at once
    Duration busy = pacer.delay(auto);
    assertThat(quiet).isEqualTo(Duration.ofSeconds(5));
    assertThat(busy).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldPauseBetweenBatchesWhenBatchSizeReached() {
    PacingSpec spec = new PacingSpec("manual", 2, false, 2, 5);
    List<Duration> gaps = gaps(spec, 7, null);
    assertThat(gaps).extracting(Duration::toSeconds).containsExactly(2L, 5L, 2L, 5L, 2L, 5L);
  }

  @Test
  void shouldCountBatchesPerScheduleWhenSchedulesShareDevice() {
    PacingSpec spec = new PacingSpec("manual", 0, false, 2, 5);
    pacer.reserve(spec, "recurring:a", "+1", null, true);
    pacer.reserve(spec, "recurring:b", "+2", null, true);
    assertThat(pacer.lastGap()).isZero();
    pacer.reserve(spec, "recurring:a", "+3", null, true);
    assertThat(pacer.lastGap()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void shouldNotCountRetriedAttemptTowardBatchWhenNotFinal() {
    PacingSpec spec = new PacingSpec("manual", 0, false, 2, 5);
    assertThat(pacer.reserve(spec, "recurring:a", "+1", null, true)).isNotNull();
    pacer.onResult(spec, "+1", AttemptResult.RATE_LIMITED);
    clock.set(T0.plusSeconds(7)); // past the pair gap to +1
    assertThat(pacer.reserve(spec, "recurring:a", "+1", null, false)).isNotNull();
    assertThat(pacer.lastGap()).isZero();
  }

  @Test
  void shouldCapMessagesPerSecondWhenDeviceHasLimit() {
    List<Duration> gaps = gaps(PacingSpec.none(), 5, 4.0);
    assertThat(gaps).allSatisfy(g -> assertThat(g).isEqualTo(Duration.ofMillis(250)));
  }

  @Test
  void shouldKeepPairGapWhenSameRecipient() {
    pacer.reserve(PacingSpec.none(), "broadcast:x", "+628111", null, true);
    pacer.onResult(PacingSpec.none(), "+628111", AttemptResult.SUCCESS);
    assertThat(pacer.earliestFor("+628111", null)).isEqualTo(T0.plusSeconds(6));
    assertThat(pacer.earliestFor("+628222", null)).isEqualTo(T0);
    assertThat(pacer.waitFor("+628111", null)).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void shouldStartABurstOfTwentyMillisecondsOfRateWhenCapIsHigh() {
    // 1,000/s: 20 calls may start at once, then one per millisecond
    assertThat(pacer.startsNow(1000.0)).isEqualTo(20);
    for (int i = 0; i < 20; i++) {
      assertThat(pacer.reserve(PacingSpec.none(), "b", "+1" + i, 1000.0, true)).isNotNull();
    }
    assertThat(pacer.reserve(PacingSpec.none(), "b", "+2", 1000.0, true)).isNull();
    assertThat(pacer.earliestFor("+2", 1000.0)).isEqualTo(T0.plusMillis(1));
    clock.set(T0.plusSeconds(1));
    assertThat(pacer.startsNow(1000.0)).isEqualTo(20); // never more than the burst
  }

  @Test
  void shouldStartAtTheRateOnAverageWhenCapped() {
    List<Duration> gaps = gaps(PacingSpec.none(), 1001, 80.0);
    Duration total = gaps.stream().reduce(Duration.ZERO, Duration::plus);
    // 1,000 gaps at 80/s: 12.5 s, less the first burst's head start
    assertThat(total.toMillis()).isBetween(12_480L, 12_500L);
  }

  @Test
  void shouldGiveTheSlotBackWhenACallDoesNotStart() {
    PacingSpec spec = new PacingSpec("manual", 5, false, 2, 60);
    Pacer.Reservation first = pacer.reserve(spec, "b", "+1", 4.0, true);
    assertThat(pacer.earliestFor("+2", 4.0)).isEqualTo(T0.plusSeconds(5));

    pacer.cancel(first); // a duplicate: no call went out

    assertThat(pacer.earliestFor("+1", 4.0)).isBeforeOrEqualTo(T0);
    assertThat(pacer.reserve(spec, "b", "+1", 4.0, true)).isNotNull();
    clock.set(T0.plusSeconds(5));
    pacer.reserve(spec, "b", "+2", 4.0, true); // the batch's second, not its third
    assertThat(pacer.lastGap()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void shouldKeepTheLaterSlotWhenAnOlderReservationIsCancelled() {
    PacingSpec spec = new PacingSpec("manual", 0, false, null, null);
    Pacer.Reservation older = pacer.reserve(spec, "b", "+1", null, true);
    pacer.reserve(new PacingSpec("manual", 3, false, null, null), "b", "+2", null, true);

    pacer.cancel(older);

    assertThat(pacer.earliestFor("+3", null)).isEqualTo(T0.plusSeconds(3));
  }

  @Test
  void shouldPushTheNextStartOutWhenACallIsRateLimited() {
    PacingSpec adaptive = new PacingSpec("adaptive", 1, false, null, null);
    pacer.reserve(adaptive, "b", "+1", null, true);
    clock.set(T0.plusMillis(200));
    pacer.onResult(adaptive, "+1", AttemptResult.RATE_LIMITED);
    assertThat(pacer.earliestFor("+2", null)).isEqualTo(T0.plusMillis(2200));
  }

  @Nested
  class Adaptive {
    private final PacingSpec adaptive = new PacingSpec("adaptive", 1, false, null, null);

    @Test
    void shouldDoubleDelayWhenRateLimited() {
      pacer.onResult(adaptive, "+1", AttemptResult.RATE_LIMITED);
      assertThat(pacer.lastGap()).isEqualTo(Duration.ofSeconds(2));
      pacer.onResult(adaptive, "+1", AttemptResult.RATE_LIMITED);
      assertThat(pacer.lastGap()).isEqualTo(Duration.ofSeconds(4));
      assertThat(pacer.adaptiveFactor()).isEqualTo(4.0);
    }

    @Test
    void shouldRecoverGraduallyWhenSuccessesFollow() {
      for (int i = 0; i < 3; i++) {
        pacer.onResult(adaptive, "+1", AttemptResult.RATE_LIMITED);
      }
      assertThat(pacer.adaptiveFactor()).isEqualTo(8.0);
      pacer.onResult(adaptive, "+2", AttemptResult.SUCCESS);
      assertThat(pacer.adaptiveFactor()).isCloseTo(7.2, org.assertj.core.data.Offset.offset(1e-9));
      for (int i = 0; i < 100; i++) {
        pacer.onResult(adaptive, "+3", AttemptResult.SUCCESS);
      }
      assertThat(pacer.adaptiveFactor()).isEqualTo(1.0);
      assertThat(pacer.delay(adaptive)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldCapSlowDownWhenRateLimitedRepeatedly() {
      for (int i = 0; i < 20; i++) {
        pacer.onResult(adaptive, "+1", AttemptResult.RATE_LIMITED);
      }
      assertThat(pacer.adaptiveFactor()).isEqualTo(16.0);
    }

    @Test
    void shouldStartLikeAutoWhenNoDelayGiven() {
      assertThat(pacer.delay(new PacingSpec("adaptive", null, false, null, null)))
          .isEqualTo(pacer.delay(new PacingSpec("auto", null, false, null, null)));
    }

    @Test
    void shouldNotSlowManualWhenRateLimited() {
      pacer.onResult(
          new PacingSpec("manual", 1, false, null, null), "+1", AttemptResult.RATE_LIMITED);
      assertThat(pacer.lastGap()).isEqualTo(Duration.ofSeconds(1));
    }
  }
}
