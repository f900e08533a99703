package io.herald.testsupport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A one-node Kafka cluster (combined KRaft broker and controller) for integration tests.
 *
 * <p>{@link #shared()} starts one broker per JVM on first use and stops it from a shutdown hook;
 * tests isolate themselves with their own topic names and group ids instead of their own broker. By
 * default the broker runs inside the JVM through Kafka's test kit; with the system property {@code
 * herald.test.infra=docker} or {@code HERALD_TEST_INFRA=docker} it runs in a Testcontainers
 * container instead. This is the one class that touches Kafka's test kit.
 */
public final class KafkaTestBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaTestBroker.class);

  /**
   * One broker cannot satisfy the production defaults of three replicas for internal topics:
   * without these, consumer groups, transactions and Streams EOS wait forever.
   */
  static final Map<String, String> BROKER_PROPERTIES =
      Map.of(
          "offsets.topic.replication.factor", "1",
          "transaction.state.log.replication.factor", "1",
          "transaction.state.log.min.isr", "1",
          "min.insync.replicas", "1",
          "group.initial.rebalance.delay.ms", "0",
          "share.coordinator.state.topic.replication.factor", "1",
          "share.coordinator.state.topic.min.isr", "1");

  private static final String DOCKER_IMAGE_PROPERTY = "herald.test.kafka.image";

  private static final Object SHARED_LOCK = new Object();
  private static KafkaTestBroker shared;
  private static RuntimeException sharedFailure;

  private final Backend backend;
  private final boolean isShared;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KafkaTestBroker(Backend backend, boolean isShared) {
    this.backend = backend;
    this.isShared = isShared;
  }

  /**
   * The JVM-wide broker, started on first call (about 4 s in-JVM, readiness check included) and
   * stopped when the JVM exits. Calling {@link #close()} on it does nothing: other test classes
   * still use it.
   *
   * @throws TestInfraException when the broker cannot start; later calls fail fast with the same
   *     cause instead of trying again
   */
  public static KafkaTestBroker shared() {
    synchronized (SHARED_LOCK) {
      if (shared != null) {
        return shared;
      }
      if (sharedFailure != null) {
        throw new TestInfraException(
            "The shared Kafka test broker failed to start earlier: " + sharedFailure.getMessage(),
            sharedFailure);
      }
      try {
        KafkaTestBroker broker = launch(true);
        Runtime.getRuntime()
            .addShutdownHook(new Thread(broker::closeNow, "herald-kafka-test-broker-shutdown"));
        shared = broker;
        return broker;
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
  }

  /**
   * A broker of its own for a test that must stop or restart it; the caller closes it. Prefer
   * {@link #shared()} for everything else: each broker costs seconds and memory.
   */
  public static KafkaTestBroker startPrivate() {
    return launch(false);
  }

  /** {@code host:port} list for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return backend.bootstrapServers();
  }

  /** A mutable client configuration holding only {@code bootstrap.servers}, to extend per test. */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /**
   * Creates a topic with replication factor 1 and waits until every partition has a leader.
   * Creating an existing topic with the same partition count is a no-op.
   *
   * @throws IllegalStateException when the topic exists with another partition count
   */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /**
   * Like {@link #createTopic(String, int)} with topic configs, for example {@code
   * cleanup.policy=compact}.
   */
  public void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
    KafkaTestTopics.create(clientConfig(), name, partitions, topicConfigs);
  }

  /**
   * Stops a broker from {@link #startPrivate()}. Idempotent. Ignored for the shared broker, which
   * the JVM shutdown hook stops.
   */
  @Override
  public void close() {
    if (isShared) {
      log.debug("Ignoring close() on the shared Kafka test broker; it stops when the JVM exits");
      return;
    }
    closeNow();
  }

  private void closeNow() {
    // The test kit throws on a second close(), and a hook may race an explicit close.
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      backend.close();
      log.info("Kafka test broker stopped: bootstrapServers={}", backend.bootstrapServers());
    } catch (Exception e) {
      log.warn(
          "Kafka test broker did not stop cleanly: bootstrapServers={}",
          backend.bootstrapServers(),
          e);
    }
  }

  private static KafkaTestBroker launch(boolean isShared) {
    long started = System.nanoTime();
    boolean docker = TestInfra.dockerRequested();
    Backend backend = docker ? ContainerBackend.start() : TestKitBackend.start();
    KafkaTestBroker broker = new KafkaTestBroker(backend, isShared);
    try {
      KafkaReadiness.verify(broker);
    } catch (RuntimeException e) {
      broker.closeNow();
      throw e;
    }
    log.info(
        "Kafka test broker ready: bootstrapServers={} mode={} shared={} startedInMs={}",
        broker.bootstrapServers(),
        docker ? "docker" : "in-jvm",
        isShared,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return broker;
  }

  /** Where the broker runs; both variants are started ready to be checked. */
  private interface Backend extends AutoCloseable {
    String bootstrapServers();
  }

  private static final class TestKitBackend implements Backend {
    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private TestKitBackend(KafkaClusterTestKit cluster) {
      this.cluster = cluster;
      this.bootstrapServers = cluster.bootstrapServers();
    }

    static TestKitBackend start() {
      neverEndTheJvm();
      KafkaClusterTestKit cluster = null;
      try {
        TestKitNodes nodes =
            new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                // The test kit defaults to the newest *testing* metadata version, with unreleased
                // features switched on; Herald runs against released Kafka.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        BROKER_PROPERTIES.forEach(builder::setConfigProp);
        builder.setConfigProp("unstable.api.versions.enable", "false");
        builder.setConfigProp("unstable.feature.versions.enable", "false");
        cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new TestKitBackend(cluster);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeQuietly(cluster);
        throw new TestInfraException("Interrupted while starting the in-JVM Kafka broker", e);
      } catch (Exception e) {
        closeQuietly(cluster);
        throw new TestInfraException(
            "The in-JVM Kafka broker (kafka-test-common-runtime "
                + AppInfoParser.getVersion()
                + ") failed to start: "
                + e
                + ". Check that every org.apache.kafka artifact on the test classpath has the same"
                + " version (mvn dependency:tree), or set HERALD_TEST_INFRA=docker on a host with"
                + " Docker",
            e);
      }
    }

    /**
     * A broker inside the test JVM must not end it. Kafka halts its process on a fatal fault, and
     * at JVM exit one is likely: the test kit's temp-dir hook deletes the log dirs while this
     * class's hook still stops the broker (hooks run at once, in no order), the broker finds every
     * log dir gone and halts with status 1. Every test had passed, yet the fork "exited 1" and
     * failed the build (CI, once). Logged instead: a test that meets such a fault still fails on
     * the broken broker, with a readable reason.
     */
    private static void neverEndTheJvm() {
      Exit.setHaltProcedure(
          (code, message) ->
              log.error(
                  "In-JVM Kafka broker asked to halt the JVM, ignored: status={} message={}",
                  code,
                  message));
      Exit.setExitProcedure(
          (code, message) ->
              log.error(
                  "In-JVM Kafka broker asked to exit the JVM, ignored: status={} message={}",
                  code,
                  message));
    }

    @Override
    public String bootstrapServers() {
      return bootstrapServers;
    }

    @Override
    public void close() throws Exception {
      cluster.close();
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
      if (cluster == null) {
        return;
      }
      try {
        cluster.close();
      } catch (Exception e) {
        log.debug("Ignoring failure to close a Kafka test kit that did not start", e);
      }
    }
  }

  private static final class ContainerBackend implements Backend {
    private final KafkaContainer container;
    private final String bootstrapServers;

    private ContainerBackend(KafkaContainer container) {
      this.container = container;
      // Read once: the container cannot answer after it has stopped.
      this.bootstrapServers = container.getBootstrapServers();
    }

    static ContainerBackend start() {
      // Same Kafka line as the clients on the classpath unless the build says otherwise.
      String image =
          System.getProperty(DOCKER_IMAGE_PROPERTY, "apache/kafka:" + AppInfoParser.getVersion());
      KafkaContainer container = new KafkaContainer(DockerImageName.parse(image));
      // The apache/kafka image turns KAFKA_FOO_BAR into foo.bar in its server properties.
      BROKER_PROPERTIES.forEach(
          (key, value) ->
              container.withEnv("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
      try {
        container.start();
      } catch (RuntimeException e) {
        container.close();
        throw new TestInfraException(
            "HERALD_TEST_INFRA=docker (or -Dherald.test.infra=docker) is set but Kafka image "
                + image
                + " did not start: "
                + e.getMessage()
                + ". Start Docker, choose another image with -D"
                + DOCKER_IMAGE_PROPERTY
                + "=..., or unset it to use the in-JVM broker",
            e);
      }
      return new ContainerBackend(container);
    }

    @Override
    public String bootstrapServers() {
      return bootstrapServers;
    }

    @Override
    public void close() {
      container.close();
    }
  }
}
