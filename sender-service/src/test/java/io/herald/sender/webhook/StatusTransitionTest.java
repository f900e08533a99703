package io.herald.sender.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusTransitionTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-12-07T10:00:05Z");

  @ParameterizedTest(name = "{0} then {1}: forward={2} firstDelivered={3} firstRead={4}")
  @CsvSource(
      nullValues = "null",
      value = {
        "null,      sent,      true,  false, false",
        "null,      delivered, true,  true,  false",
        "null,      read,      true,  true,  true",
        "null,      failed,    true,  false, false",
        "sent,      delivered, true,  true,  false",
        "sent,      sent,      false, false, false",
        "delivered, delivered, false, false, false",
        "delivered, sent,      false, false, false",
        "delivered, failed,    true,  false, false",
        "delivered, read,      true,  false, true",
        "failed,    delivered, false, false, false",
        "read,      sent,      false, false, false",
        "read,      delivered, false, false, false",
        "read,      failed,    false, false, false",
        "read,      read,      false, false, false",
      })
  void shouldMoveForwardOnlyWhenStatusRanksAbove(
      String current, String incoming, boolean forward, boolean firstDelivered, boolean firstRead) {
    ProviderStatus cur = ProviderStatus.fromWire(current);
    boolean wasDelivered = cur == ProviderStatus.DELIVERED || cur == ProviderStatus.READ;
    StatusTransition t =
        StatusTransition.decide(
            cur,
            wasDelivered ? T0 : null,
            cur == ProviderStatus.READ ? T0 : null,
            ProviderStatus.fromWire(incoming),
            T1);
    assertThat(t.forward()).isEqualTo(forward);
    assertThat(t.firstDelivered()).isEqualTo(firstDelivered);
    assertThat(t.firstRead()).isEqualTo(firstRead);
    if (forward) {
      assertThat(t.status().wire()).isEqualTo(incoming);
      assertThat(t.statusAt()).isEqualTo(T1);
    } else {
      assertThat(t.status()).isEqualTo(cur);
    }
  }

  @Test
  void shouldSetDeliveredAtWhenReadArrivesWithoutDelivered() {
    StatusTransition t =
        StatusTransition.decide(ProviderStatus.SENT, null, null, ProviderStatus.READ, T1);
    assertThat(t.deliveredAt()).isEqualTo(T1);
    assertThat(t.readAt()).isEqualTo(T1);
  }

  @Test
  void shouldKeepFirstDeliveredAtWhenFailedFollowsDelivered() {
    StatusTransition t =
        StatusTransition.decide(ProviderStatus.DELIVERED, T0, null, ProviderStatus.FAILED, T1);
    assertThat(t.forward()).isTrue();
    assertThat(t.deliveredAt()).isEqualTo(T0);
    assertThat(t.readAt()).isNull();
  }

  @Test
  void shouldIgnoreUnknownStatusWhenIncomingIsNull() {
    assertThat(StatusTransition.decide(null, null, null, null, T1).forward()).isFalse();
  }

  @Test
  void shouldEndReadAndCountOnceWhenAnyOrderWithDuplicatesIsApplied() {
    List<ProviderStatus> events = new ArrayList<>();
    for (ProviderStatus s : ProviderStatus.values()) {
      events.add(s);
      events.add(s); // every status twice
    }
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      Collections.shuffle(events, random);
      ProviderStatus status = null;
      Instant deliveredAt = null;
      Instant readAt = null;
      int delivered = 0;
      int read = 0;
      for (ProviderStatus e : events) {
        StatusTransition t = StatusTransition.decide(status, deliveredAt, readAt, e, T1);
        status = t.status();
        deliveredAt = t.deliveredAt();
        readAt = t.readAt();
        delivered += t.firstDelivered() ? 1 : 0;
        read += t.firstRead() ? 1 : 0;
      }
      assertThat(status).isEqualTo(ProviderStatus.READ);
      assertThat(delivered).isEqualTo(1);
      assertThat(read).isEqualTo(1);
      assertThat(deliveredAt).isNotNull();
    }
  }
}
