package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.testsupport.FakeWhatsAppApi;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 4: pacing is a property of the device lane, and a pausing device never delays another
 * device on the same partition. Tolerance: each measured gap (at the fake, on arrival) is within
 * [expected - 100 ms, expected + 1.5 s]; the loaded 2-core CI machine only ever makes gaps longer.
 */
class LanePacingIT extends SenderItSupport {

  private static final Duration EARLY = Duration.ofMillis(100);
  private static final Duration LATE = Duration.ofMillis(1500);

  @BeforeAll
  static void infra() {
    setUpInfra();
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeWhatsAppApi.start();
    startGroupAtEnd();
  }

  @AfterEach
  void stop() {
    tearDownApps();
  }

  @Test
  void shouldSendOtherDeviceWhilePacedDevicePausesWhenBothShareOnePartition() throws Exception {
    String deviceA = cloudDevice();
    String deviceB = cloudDevice();
    String scheduleA = "broadcast:" + UUID.randomUUID();
    String scheduleB = "broadcast:" + UUID.randomUUID();
    Instant occurrence = Instant.parse("2026-05-01T08:00:00Z");
    PacingSpec paced = new PacingSpec("manual", 2, false, 2, 5);
    List<SendCommand> a = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.add(command(deviceA, scheduleA, occurrence, phone(100 + i), paced));
    }
    List<SendCommand> b = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      b.add(command(deviceB, scheduleB, occurrence, phone(200 + i), PacingSpec.none()));
    }
    startSenderAndAwaitReady();

    produce(a, 0);
    await("device A's second message (its batch is complete)")
        .atMost(Duration.ofSeconds(20))
        .until(() -> requestsOf(a).size() >= 2);
    produce(b, 0); // behind A's remaining three, on the same partition

    await("all of A's messages")
        .atMost(Duration.ofSeconds(40))
        .until(() -> requestsOf(a).size() == 5);
    List<Request> ra = requestsOf(a);
    List<Request> rb = requestsOf(b);
    assertThat(rb).hasSize(10);
    Instant aThird = ra.get(2).receivedAt();
    assertThat(rb).allSatisfy(r -> assertThat(r.receivedAt()).isBefore(aThird));

    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < ra.size(); i++) {
      gaps.add(Duration.between(ra.get(i - 1).receivedAt(), ra.get(i).receivedAt()));
    }
    List<Duration> expected =
        List.of(
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5));
    for (int i = 0; i < expected.size(); i++) {
      assertThat(gaps.get(i))
          .as("gap %d of device A", i + 1)
          .isBetween(expected.get(i).minus(EARLY), expected.get(i).plus(LATE));
    }
    // every command of A went out exactly once; with two calls of A allowed in flight (ADR 0020)
    // two of its messages may swap, only a recipient's own messages keep their order
    assertThat(ra.stream().map(r -> r.commandId().orElseThrow()).collect(Collectors.toList()))
        .containsExactlyInAnyOrderElementsOf(
            a.stream().map(c -> c.commandId().value()).collect(Collectors.toList()));
  }

  @Test
  void shouldKeepSeveralCallsOfOneDeviceInFlightAtItsRateWhenTheApiIsSlow() throws Exception {
    // 50/s behind an API answering in 200 ms: a serial lane would send 5/s; the device needs
    // about 50 x 0.2 = 10 calls in flight (ADR 0020)
    String device =
        insertDevice(
            "whatsapp_cloud",
            "{\"phone_number_id\":\"1234567890\",\"token_env\":\"" + TOKEN_ENV + "\"}",
            50.0);
    fake.delay(Duration.ofMillis(200));
    String schedule = "broadcast:" + UUID.randomUUID();
    Instant occurrence = Instant.parse("2026-05-01T09:00:00Z");
    List<SendCommand> commands = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      commands.add(command(device, schedule, occurrence, phone(300 + i), PacingSpec.none()));
    }
    startSenderAndAwaitReady();

    produce(commands, 0);
    await("every message at the API")
        .atMost(Duration.ofSeconds(60))
        .until(() -> requestsOf(commands).size() >= 150);

    List<Request> got = requestsOf(commands);
    assertThat(got.stream().map(r -> r.commandId().orElseThrow()).distinct()).hasSize(150);
    int most = 0;
    for (int i = 0; i < got.size(); i++) {
      Instant at = got.get(i).receivedAt();
      int open = 0;
      for (int j = 0; j <= i; j++) {
        if (got.get(j).receivedAt().plusMillis(200).isAfter(at)) {
          open++;
        }
      }
      most = Math.max(most, open);
    }
    assertThat(most).as("calls of the device in flight at once").isGreaterThan(2);
    // never faster than the cap: any 21 arrivals in a row span at least 20 refills of a
    // one-call bucket (20 ms at 50/s), less the scheduling margin
    for (int i = 0; i + 20 < got.size(); i++) {
      assertThat(Duration.between(got.get(i).receivedAt(), got.get(i + 20).receivedAt()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400).minus(EARLY));
    }
  }

  private List<Request> requestsOf(List<SendCommand> commands) {
    List<String> ids =
        commands.stream().map(c -> c.commandId().value()).collect(Collectors.toList());
    return fake.requests().stream()
        .filter(r -> r.commandId().map(ids::contains).orElse(false))
        .sorted(Comparator.comparing(Request::receivedAt))
        .collect(Collectors.toList());
  }
}
