package io.herald.scheduler.cdc;

import io.herald.runtime.kafka.KafkaClients;
import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease on CDC built from a Kafka consumer group: every scheduler instance subscribes to the
 * one-partition topic {@link CdcConfig#leaderTopic()} in group {@link CdcConfig#leaderGroupId()},
 * and the instance assigned partition 0 is the leader. The group coordinator guarantees a single
 * owner per partition; a dead owner loses it after {@link CdcConfig#leaderSessionTimeout()}.
 *
 * <p>On election the {@link Listener} starts the engine; on revocation or loss it stops the engine
 * synchronously (bounded) inside the rebalance callback, before the partition is given up. A leader
 * that is paused rather than dead (long GC, frozen VM) may still stream for a moment after the
 * group moved on: the PostgreSQL replication slot admits one reader only, so the new leader's
 * engine fails to attach and retries until the old one is gone (docs/adr/0003).
 *
 * <p>Thread: {@code herald-cdc-leader}, which only polls (the topic never holds records) so that
 * rebalance callbacks run promptly.
 */
public final class EngineLeadership implements AutoCloseable {

  /** What leadership drives: the CDC engine. Callbacks run on the leadership thread. */
  public interface Listener {
    /** This instance now holds the lease. */
    void onElected();

    /** This instance lost the lease; return only once the engine stopped (or gave up trying). */
    void onDemoted();
  }

  private static final Logger log = LoggerFactory.getLogger(EngineLeadership.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** Pause after a failed poll. */
  private static final Duration POLL_RETRY = Duration.ofSeconds(1);

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final CdcConfig config;
  private final Listener listener;
  private final AtomicBoolean leader = new AtomicBoolean();
  private final ServiceLoop loop;
  private KafkaConsumer<byte[], byte[]> consumer;
  private boolean started;

  public EngineLeadership(CdcConfig config, Listener listener, MeterRegistry registry) {
    this(config, listener, registry, e -> {});
  }

  /**
   * @param onFatal called once, on the leadership thread, if it stops on a failure it does not
   *     retry (an {@link Error}); must return at once (the app exits)
   */
  public EngineLeadership(
      CdcConfig config, Listener listener, MeterRegistry registry, Consumer<Throwable> onFatal) {
    this.config = config;
    this.listener = listener;
    Gauge.builder("herald.scheduler.cdc.leader", leader, l -> l.get() ? 1 : 0)
        .description("1 while this instance holds the CDC lease and runs the engine")
        .register(registry);
    this.loop =
        ServiceLoop.named("herald-cdc-leader")
            .metrics(registry)
            .setUp(() -> consumer.subscribe(List.of(config.leaderTopic()), new Rebalance()))
            .body(
                () -> {
                  consumer.poll(POLL); // the rebalance callbacks elect and demote
                  return false;
                })
            .onFailure(
                (e, attempt, backoff) -> {
                  if (!(e instanceof RuntimeException)) {
                    return Decision.FATAL;
                  }
                  // A poll failure (broker away) keeps the lease only as long as the group says so;
                  // the rebalance callbacks tell us when it is lost.
                  log.warn(
                      "CDC leadership poll failed, retrying: group={}", config.leaderGroupId(), e);
                  return Decision.RETRY;
                })
            .backoff(POLL_RETRY, POLL_RETRY)
            .wakeup(() -> consumer.wakeup())
            .tearDown(this::leave)
            .onFatal(onFatal)
            .joinTimeout(config.stopTimeout().plusSeconds(15))
            .build();
  }

  /** Creates the lease topic if needed, joins the group and starts the leadership thread. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    ensureLeaderTopic();
    consumer = new KafkaConsumer<>(consumerProperties());
    loop.start();
    log.info(
        "CDC leadership started: group={} topic={} sessionTimeout={}",
        config.leaderGroupId(),
        config.leaderTopic(),
        config.leaderSessionTimeout());
  }

  /** True while this instance holds the lease. */
  public boolean isLeader() {
    return leader.get();
  }

  /** False once the leadership thread stopped on a failure it does not retry. */
  public boolean healthy() {
    return loop.healthy();
  }

  /**
   * Stops the engine if leading, then leaves the group so another instance takes over at once (not
   * after the session timeout). Bounded by the stop timeout plus a few seconds.
   */
  @Override
  public void close() {
    loop.close();
  }

  private void leave() {
    try {
      // Revokes partition 0 (stopping the engine first) and leaves the group immediately.
      consumer.close(Duration.ofMillis(config.stopTimeout().toMillis() + 5_000));
    } catch (RuntimeException e) {
      log.warn(
          "CDC leadership consumer did not close cleanly: group={}", config.leaderGroupId(), e);
    } finally {
      if (leader.getAndSet(false)) {
        // close() failed before the revocation callback ran: stop the engine anyway.
        demote("closing");
      }
      log.info("CDC leadership stopped: group={}", config.leaderGroupId());
    }
  }

  private void elect() {
    if (leader.compareAndSet(false, true)) {
      log.info("CDC lease acquired, starting the engine: group={}", config.leaderGroupId());
      try {
        listener.onElected();
      } catch (RuntimeException e) {
        log.error("CDC engine failed to start after election: group={}", config.leaderGroupId(), e);
      }
    }
  }

  private void demote(String why) {
    log.info("CDC lease {}, stopping the engine: group={}", why, config.leaderGroupId());
    try {
      listener.onDemoted();
    } catch (RuntimeException e) {
      log.error(
          "CDC engine failed to stop after losing the lease: group={}", config.leaderGroupId(), e);
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (holdsLease(partitions)) {
        elect();
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (holdsLease(partitions) && leader.getAndSet(false)) {
        demote("revoked");
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (holdsLease(partitions) && leader.getAndSet(false)) {
        demote("lost");
      }
    }

    private boolean holdsLease(Collection<TopicPartition> partitions) {
      // Only partition 0 is the lease, so a topic created with more partitions still works.
      return partitions.contains(new TopicPartition(config.leaderTopic(), 0));
    }
  }

  private Properties consumerProperties() {
    long session = config.leaderSessionTimeout().toMillis();
    return KafkaClients.consumer(
            config.bootstrapServers(), config.kafkaProperties(), config.leaderGroupId())
        .clientId(config.applicationId() + "-cdc-leader")
        .set(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .set(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .set(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session)
        .set(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, session / 3))
        // Stopping the engine happens inside poll(); the group must wait for it, not evict us.
        .set(
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
            (int) Math.max(60_000, config.stopTimeout().toMillis() * 2))
        // Cooperative: a joining instance does not make the leader revoke and restart its engine.
        .set(
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            CooperativeStickyAssignor.class.getName())
        .toProperties();
  }

  private void ensureLeaderTopic() {
    Map<String, Object> props =
        KafkaClients.admin(config.bootstrapServers(), config.kafkaProperties()).toMap();
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(
              List.of(new NewTopic(config.leaderTopic(), 1, config.offsetsReplicationFactor())))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.info("CDC lease topic created: topic={}", config.leaderTopic());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "Cannot create the CDC lease topic " + config.leaderTopic() + ": " + e.getCause(),
            e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating " + config.leaderTopic(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating " + config.leaderTopic(), e);
    }
  }
}
