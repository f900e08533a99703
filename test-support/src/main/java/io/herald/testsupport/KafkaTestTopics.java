package io.herald.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.awaitility.Awaitility;

/** Topic creation on a test broker, waiting for leaders so that the first producer finds them. */
final class KafkaTestTopics {

  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

  private KafkaTestTopics() {}

  /**
   * Creates a topic with replication factor 1 and waits until every partition has a leader; an
   * existing topic with the same partition count is left as it is.
   *
   * @throws IllegalStateException when the topic exists with another partition count
   */
  static void create(
      Map<String, Object> clientConfig,
      String name,
      int partitions,
      Map<String, String> topicConfigs) {
    try (Admin admin = Admin.create(clientConfig)) {
      NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfigs);
      try {
        admin
            .createTopics(List.of(topic))
            .all()
            .get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("Could not create topic " + name, e.getCause());
        }
        int existing = describe(admin, name).partitions().size();
        if (existing != partitions) {
          throw new IllegalStateException(
              "Topic "
                  + name
                  + " already exists with "
                  + existing
                  + " partitions, not "
                  + partitions);
        }
      }
      // Creation returns once the controller has committed it; the broker learns a moment later,
      // and a producer that is faster than that sees UNKNOWN_TOPIC_OR_PARTITION warnings.
      Awaitility.await("leaders for every partition of " + name)
          .atMost(TOPIC_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(
              () ->
                  describe(admin, name).partitions().stream()
                      .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Timed out after " + TOPIC_TIMEOUT + " creating topic " + name, e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Could not create topic " + name + ": " + e, e);
    }
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(10, TimeUnit.SECONDS)
        .get(topic);
  }
}
