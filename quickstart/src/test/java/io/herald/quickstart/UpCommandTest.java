package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UpCommandTest {

  @Test
  void shouldKeepTheQuickStartsDefaultsWhenTheUserSetsNothing() {
    Map<String, String> env = UpCommand.senderEnv("127.0.0.1:19092", "jdbc:x", "u", "p", Map.of());

    assertThat(env)
        .containsEntry("HERALD_SENDER_DEFAULT_TRANSPORT", "simulated")
        .containsEntry("HERALD_SENDER_PAIR_GAP", "PT1S")
        .containsEntry("HERALD_SENDER_SIMULATED_LATENCY", "PT0.05S")
        .containsEntry("HERALD_SENDER_BOOTSTRAP_SERVERS", "127.0.0.1:19092");
  }

  @Test
  void shouldLetTheUsersSettingsWinWhenTheySetThem() {
    Map<String, String> user =
        Map.of(
            "HERALD_SENDER_DEFAULT_TRANSPORT", "http-gateway",
            "HERALD_SENDER_PAIR_GAP", "PT30S",
            "HERALD_SENDER_SIMULATED_LATENCY", "PT0.5S",
            "KAFKA_SECURITY_PROTOCOL", "SSL",
            "HERALD_SCHEDULER_PARTITIONS", "3",
            "PATH", "/usr/bin");

    Map<String, String> env = UpCommand.senderEnv("127.0.0.1:19092", "jdbc:x", "u", "p", user);

    assertThat(env)
        .containsEntry("HERALD_SENDER_DEFAULT_TRANSPORT", "http-gateway")
        .containsEntry("HERALD_SENDER_PAIR_GAP", "PT30S")
        .containsEntry("HERALD_SENDER_SIMULATED_LATENCY", "PT0.5S")
        .containsEntry("KAFKA_SECURITY_PROTOCOL", "SSL")
        .doesNotContainKeys("HERALD_SCHEDULER_PARTITIONS", "PATH");
    assertThat(
            UpCommand.overlay(
                Map.of("HERALD_SCHEDULER_PARTITIONS", "6"), user, "HERALD_SCHEDULER_"))
        .containsEntry("HERALD_SCHEDULER_PARTITIONS", "3")
        .doesNotContainKey("HERALD_SENDER_PAIR_GAP");
  }
}
