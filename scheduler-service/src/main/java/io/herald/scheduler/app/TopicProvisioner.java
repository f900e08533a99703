package io.herald.scheduler.app;

import io.herald.contracts.limit.Limits;
import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.scheduler.config.SchedulerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the scheduler's topics when absent; an existing topic is left as it is (an operator may
 * have tuned it). Streams creates its own internal topics (changelogs) itself.
 */
final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * One record size for every topic (Limits): schedule changes carry whole recipient lists (50,000
   * uuids ≈ 2 MB of JSON), a dead letter is the original record's bytes, and whatever a Herald
   * producer accepts ({@code max.request.size}) the topic must accept too.
   */
  static final String MAX_MESSAGE_BYTES = Integer.toString(Limits.TOPIC_MAX_MESSAGE_BYTES);

  private TopicProvisioner() {}

  /** The topics the scheduler reads or writes, with their configs. */
  static List<NewTopic> topics(SchedulerConfig config) {
    List<NewTopic> out = new ArrayList<>();
    // Every Herald topic and its dead-letter topic: the scheduler runs first in every deployment
    // and brokers commonly refuse auto-creation, so the sender finds its topics in place.
    for (TopicSpec<String, ?> spec : Topics.ALL) {
      Map<String, String> configs = new HashMap<>();
      if (spec.compacted()) {
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_MESSAGE_BYTES);
      out.add(
          new NewTopic(spec.name(), config.partitions(), config.replicationFactor())
              .configs(configs));
    }
    for (TopicSpec<String, ?> spec : Topics.ALL) {
      // A dead letter is the original record's bytes: as large as its source topic allows.
      out.add(
          new NewTopic(spec.dlqName(), config.partitions(), config.replicationFactor())
              .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_MESSAGE_BYTES)));
    }
    return out;
  }

  static void createIfAbsent(SchedulerConfig config) {
    Properties props =
        KafkaClients.admin(config.bootstrapServers(), config.kafkaPassthrough())
            .clientId(config.applicationId() + "-provisioner")
            .toProperties();
    try (Admin admin = Admin.create(props)) {
      Set<String> existing =
          admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing =
          topics(config).stream().filter(t -> !existing.contains(t.name())).toList();
      if (missing.isEmpty()) {
        log.info("All scheduler topics exist");
        return;
      }
      for (NewTopic topic : missing) {
        try {
          admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          log.info(
              "Topic created: name={} partitions={} replicationFactor={} configs={}",
              topic.name(),
              topic.numPartitions(),
              topic.replicationFactor(),
              topic.configs());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Cannot create topic " + topic.name(), e.getCause());
          }
          // Another instance created it meanwhile: fine.
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot list topics at " + config.bootstrapServers() + " within " + TIMEOUT, e);
    }
  }
}
