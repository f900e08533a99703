package io.herald.scheduler.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.topic.Topics;
import io.herald.scheduler.config.SchedulerConfig;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SchedulerAppTest {

  @Nested
  class Startup {

    @Test
    void shouldExitWithCodeTwoBeforeStartingAnythingWhenConfigIsInvalid() {
      int threadsBefore = Thread.activeCount();

      int code = SchedulerApp.run(Map.of("HERALD_SCHEDULER_METRICS_PORT", "-1"));

      assertThat(code).isEqualTo(SchedulerApp.EXIT_CONFIG);
      assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore);
    }
  }

  @Nested
  class TopicProvisioning {

    @Test
    void shouldCompactDefinitionTopicsWhenProvisioning() {
      SchedulerConfig config = SchedulerConfig.defaults("x:9092");

      Map<String, NewTopic> byName =
          TopicProvisioner.topics(config).stream()
              .collect(java.util.stream.Collectors.toMap(NewTopic::name, t -> t));

      assertThat(byName)
          .containsKeys(
              Topics.SCHEDULE_CHANGES.name(),
              Topics.DEVICES.name(),
              Topics.CONTACTS.name(),
              Topics.SEND_COMMANDS.name(),
              Topics.OCCURRENCES.name(),
              Topics.SCHEDULE_ERRORS.name(),
              Topics.SCHEDULE_CHANGES.dlqName());
      assertThat(byName.get(Topics.SCHEDULE_CHANGES.name()).configs())
          .containsEntry("cleanup.policy", "compact");
      assertThat(byName.get(Topics.CONTACTS.name()).configs())
          .containsEntry("cleanup.policy", "compact");
      assertThat(byName.get(Topics.SEND_COMMANDS.name()).configs())
          .doesNotContainKey("cleanup.policy");
      assertThat(byName.get(Topics.SEND_COMMANDS.name()).numPartitions()).isEqualTo(6);
    }
  }

  @Nested
  class Components {

    @Test
    void shouldAdaptStartAndCloseWhenWrappingAnEngine() {
      StringBuilder calls = new StringBuilder();
      Component c = Component.of("cdc", () -> calls.append("start;"), () -> calls.append("close;"));

      c.start();
      c.close();

      assertThat(calls.toString()).isEqualTo("start;close;");
      assertThat(c.name()).isEqualTo("cdc");
    }
  }
}
