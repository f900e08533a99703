package io.herald.sender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.sender.app.SenderApp;
import io.herald.testsupport.FakeWhatsAppApi;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 2: a sender killed mid-call (a child JVM, destroyed forcibly: no close, no commit, no
 * ledger update) is replaced by a new one; no command reaches the API twice, and the calls that
 * were in flight at the kill become {@code unknown} instead of being resent.
 */
class CrashRecoveryIT extends SenderItSupport {

  private Process child;

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
    if (child != null) {
      child.destroyForcibly();
    }
    tearDownApps();
  }

  /** The child's bound on a device's commands in progress, so the kill's unknowns are bounded. */
  private static final int MAX_IN_FLIGHT = 3;

  @Test
  void shouldReportUnknownAndNeverResendWhenSenderKilledMidCall() throws Exception {
    List<SendCommand> commands = new ArrayList<>();
    Instant occurrence = Instant.parse("2026-07-01T07:00:00Z");
    for (int d = 0; d < 4; d++) {
      String device = cloudDevice();
      String schedule = "broadcast:" + UUID.randomUUID();
      for (int i = 0; i < 10; i++) {
        commands.add(
            command(device, schedule, occurrence, phone(3000 + d * 100 + i), PacingSpec.none()));
      }
    }
    fake.delay(Duration.ofMillis(1500)); // every call is in flight for 1.5 s

    int port = freePort();
    child = startChildSender(port);
    await("child sender ready").atMost(Duration.ofSeconds(45)).until(() -> ready(port));
    produce(commands, null);
    await("some calls made").atMost(Duration.ofSeconds(30)).until(() -> fake.requestCount() >= 10);
    child.destroyForcibly();
    assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
    Set<String> requestedBeforeKill = requestsPerCommand().keySet();
    fake.delay(Duration.ZERO);

    SenderApp successor = startSender(env());
    Set<String> ids = commands.stream().map(c -> c.commandId().value()).collect(Collectors.toSet());
    try {
      await("every command has a final outcome")
          .atMost(Duration.ofSeconds(45))
          .until(
              () -> {
                Map<String, String> s = statuses();
                return ids.stream()
                    .allMatch(id -> s.containsKey(id) && !"claimed".equals(s.get(id)));
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      Map<String, String> s = statuses();
      Map<String, Long> byStatus =
          ids.stream()
              .collect(
                  Collectors.groupingBy(id -> s.getOrDefault(id, "none"), Collectors.counting()));
      throw new AssertionError("outcomes after 45 s: " + byStatus, e);
    }

    Map<String, String> statuses = statuses();
    Map<String, Long> calls = requestsPerCommand();
    Set<String> unknown =
        ids.stream().filter(id -> "unknown".equals(statuses.get(id))).collect(Collectors.toSet());
    assertThat(calls.values()).as("no command reached the API twice").allMatch(n -> n == 1L);
    // a device keeps several commands in progress (ADR 0020): each one claimed at the kill is
    // unknown, whether its request had reached the API or was still on its way
    assertThat(unknown)
        .as("commands in progress at the kill")
        .isNotEmpty()
        .hasSizeLessThanOrEqualTo(4 * MAX_IN_FLIGHT);
    assertThat(requestedBeforeKill)
        .containsAll(unknown.stream().filter(calls::containsKey).collect(Collectors.toSet()));
    ids.stream()
        .filter(id -> !unknown.contains(id))
        .forEach(
            id -> {
              assertThat(statuses.get(id)).as(id).isEqualTo("sent");
              assertThat(calls.get(id)).as(id).isEqualTo(1L);
            });
    assertThat(counter(successor, "herald.sender.unknown.outcomes")).isEqualTo(unknown.size());
    assertThat(counter(successor, "herald.sender.deliveries", "result", "unknown"))
        .isEqualTo(unknown.size());
  }

  private Process startChildSender(int metricsPort) throws Exception {
    Map<String, String> env = env();
    env.put("HERALD_SENDER_METRICS_PORT", Integer.toString(metricsPort));
    env.put("HERALD_SENDER_DEVICE_MAX_IN_FLIGHT", Integer.toString(MAX_IN_FLIGHT));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            SenderApp.class.getName());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(new File("target/crash-recovery-child.log"));
    return pb.start();
  }

  private static boolean ready(int port) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
