package io.herald.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  private static final Map<String, String> PASSTHROUGH =
      Map.of("security.protocol", "SSL", "linger.ms", "20", "acks", "1");

  @Test
  void shouldLetThePassthroughOverrideADefaultButNotAnOwnedValue() {
    Map<String, Object> p =
        KafkaClients.producer("b:9092", PASSTHROUGH, 4_194_304)
            .clientId("herald-scheduler-cdc")
            .byDefault("linger.ms", 5)
            .set("acks", "all")
            .toMap();

    assertThat(p)
        .containsEntry("security.protocol", "SSL")
        .containsEntry("linger.ms", "20")
        .containsEntry("acks", "all")
        .containsEntry("bootstrap.servers", "b:9092")
        .containsEntry("client.id", "herald-scheduler-cdc")
        .containsEntry("max.request.size", 4_194_304);
  }

  @Test
  void shouldOwnTheBootstrapServersAndTheProducersRecordBoundOverThePassthrough() {
    Map<String, Object> p =
        KafkaClients.producer(
                "b:9092", Map.of("bootstrap.servers", "x:1", "max.request.size", "1"), 42)
            .toMap();

    assertThat(p)
        .containsEntry("bootstrap.servers", "b:9092")
        .containsEntry("max.request.size", 42);
    assertThat(p).doesNotContainKey("client.id");
  }

  @Test
  void shouldGiveAConsumerItsGroupAndManualCommits() {
    Map<String, Object> p =
        KafkaClients.consumer("b:9092", Map.of("enable.auto.commit", "true"), "herald-sender")
            .byDefault("auto.offset.reset", "earliest")
            .set("isolation.level", "read_committed")
            .toProperties()
            .entrySet()
            .stream()
            .collect(
                java.util.stream.Collectors.toMap(e -> (String) e.getKey(), e -> e.getValue()));

    assertThat(p)
        .containsEntry("group.id", "herald-sender")
        .containsEntry("enable.auto.commit", false)
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry("isolation.level", "read_committed");
  }

  @Test
  void shouldGiveAnAdminClientOnlyThePassthroughAndTheConnection() {
    Map<String, Object> p =
        KafkaClients.admin("b:9092", Map.of("security.protocol", "SSL")).clientId("p").toMap();

    assertThat(p)
        .containsOnlyKeys("security.protocol", "bootstrap.servers", "client.id")
        .containsEntry("client.id", "p");
  }
}
