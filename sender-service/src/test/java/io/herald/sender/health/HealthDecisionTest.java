package io.herald.sender.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.sender.health.HealthDecision.Kind;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HealthDecisionTest {

  private final HealthDecision decision = new HealthDecision(Set.of("active", "connected"));

  private static final ProbeResult QR =
      new ProbeResult(SessionHealth.DISCONNECTED, "SCAN_QR_CODE", null);
  private static final ProbeResult FAILED = new ProbeResult(SessionHealth.BANNED, "FAILED", null);
  private static final ProbeResult WORKING =
      new ProbeResult(SessionHealth.HEALTHY, "WORKING", null);
  private static final ProbeResult UNKNOWN = ProbeResult.unknown("HTTP 500");
  private static final ProbeResult REFUSED = ProbeResult.refused("base_url not allowed");

  @Nested
  class SessionLost {
    @Test
    void shouldMarkWhenLiveDeviceLosesSession() {
      var a = decision.decide("active", null, QR);
      assertThat(a.kind()).isEqualTo(Kind.MARK);
      assertThat(a.reason()).isEqualTo("session: SCAN_QR_CODE");
      assertThat(decision.decide(null, null, FAILED).reason()).isEqualTo("session: FAILED");
      assertThat(decision.decide(" Connected ", null, QR).kind())
          .as("a seed-compat live word")
          .isEqualTo(Kind.MARK);
    }

    @Test
    void shouldRefreshReasonWhenHeraldMarkAndStateChanged() {
      var a = decision.decide("disconnected", "session: SCAN_QR_CODE", FAILED);
      assertThat(a.kind()).isEqualTo(Kind.MARK);
      assertThat(a.reason()).isEqualTo("session: FAILED");
      assertThat(decision.decide("disconnected", "session: SCAN_QR_CODE", QR).kind())
          .as("same state: no write, no change event")
          .isEqualTo(Kind.NONE);
    }

    @Test
    void shouldNeverTouchOperatorPausedOrInvalidDevice() {
      assertThat(decision.decide("paused", "operator: maintenance", QR).kind())
          .isEqualTo(Kind.NONE);
      assertThat(decision.decide("disconnected", "unplugged by hand", QR).kind())
          .isEqualTo(Kind.NONE);
      assertThat(decision.decide("invalid", null, FAILED).kind()).isEqualTo(Kind.NONE);
      assertThat(decision.concerns("paused", "operator")).isFalse();
      assertThat(decision.concerns("invalid", null)).isFalse();
    }
  }

  @Nested
  class SessionBack {
    @Test
    void shouldRestoreWhenHeraldMarkedAndHealthy() {
      assertThat(decision.decide("disconnected", "session: SCAN_QR_CODE", WORKING).kind())
          .isEqualTo(Kind.RESTORE);
      assertThat(decision.concerns("disconnected", "session: FAILED")).isTrue();
    }

    @Test
    void shouldNotRestoreWhenSomeoneElsePausedIt() {
      assertThat(decision.decide("paused", "session: SCAN_QR_CODE", WORKING).kind())
          .isEqualTo(Kind.NONE);
      assertThat(decision.decide("disconnected", "operator: banned?", WORKING).kind())
          .isEqualTo(Kind.NONE);
      assertThat(decision.decide("active", null, WORKING).kind()).isEqualTo(Kind.NONE);
    }
  }

  @Test
  void shouldChangeNothingWhenProbeFailedOrWasRefused() {
    for (ProbeResult r : new ProbeResult[] {UNKNOWN, REFUSED}) {
      assertThat(decision.decide("active", null, r).kind()).isEqualTo(Kind.NONE);
      assertThat(decision.decide("disconnected", "session: FAILED", r).kind()).isEqualTo(Kind.NONE);
    }
  }

  @Test
  void shouldBoundReason() {
    assertThat(HealthDecision.reason("X".repeat(1000))).hasSizeLessThanOrEqualTo(300);
  }
}
