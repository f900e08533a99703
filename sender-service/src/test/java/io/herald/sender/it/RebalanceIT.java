package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariants 2 and 3 under rebalancing: 2,000 commands over 50 devices and 6 partitions while two
 * more consumers join and two leave. Devices are capped at 3 messages per second so the run lasts
 * long enough for the group to change under it.
 */
class RebalanceIT extends SenderItSupport {

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
  void shouldSendEachCommandExactlyOnceWhenConsumersJoinAndLeave() throws Exception {
    List<SendCommand> commands = new ArrayList<>();
    Instant occurrence = Instant.parse("2026-08-01T10:00:00Z");
    for (int d = 0; d < 50; d++) {
      String device =
          insertDevice(
              "whatsapp_cloud",
              "{\"phone_number_id\":\"55" + d + "\",\"token_env\":\"" + TOKEN_ENV + "\"}",
              3.0);
      String schedule = "recurring:" + UUID.randomUUID();
      for (int i = 0; i < 40; i++) {
        commands.add(
            command(device, schedule, occurrence, phone(10_000 + d * 100 + i), PacingSpec.none()));
      }
    }
    Set<String> ids = commands.stream().map(c -> c.commandId().value()).collect(Collectors.toSet());
    assertThat(ids).hasSize(2000);

    SenderApp first = startSenderAndAwaitReady();
    produce(commands, null);

    awaitRequests(300);
    SenderApp second = startSender(env()); // joins
    awaitRequests(700);
    SenderApp third = startSender(env()); // joins
    awaitRequests(1100);
    first.close(); // leaves
    apps.remove(first);
    awaitRequests(1500);
    second.close(); // leaves
    apps.remove(second);

    await("every command sent")
        .atMost(Duration.ofSeconds(90))
        .until(() -> statuses().values().stream().filter("sent"::equals).count() == 2000);
    Map<String, Long> calls = requestsPerCommand();
    assertThat(calls.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(calls.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey))
        .as("commands sent twice")
        .isEmpty();
    assertThat(statuses().values()).containsOnly("sent");
    assertThat(third.ready()).isTrue();
  }

  private void awaitRequests(int n) {
    await(n + " requests").atMost(Duration.ofSeconds(60)).until(() -> fake.requestCount() >= n);
  }
}
