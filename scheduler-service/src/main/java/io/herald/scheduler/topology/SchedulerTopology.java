package io.herald.scheduler.topology;

import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.JsonSerde;
import io.herald.contracts.topic.Topics;
import io.herald.runtime.kafka.KafkaClients;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.store.StoreSerde;
import java.util.Properties;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the scheduler's topology, the one used by {@code main} and by the tests alike, and the
 * Streams properties that go with it.
 *
 * <pre>
 * herald.schedule-changes ─► schedule-change-decoder ─► herald.schedule-changes.dlq (poison)
 *                           └► schedule-change-processor ─┬─► herald.send-commands (key device id)
 *                             stores: schedules, timers, ├─► herald.occurrences
 *                             fanouts, recipients,       └─► herald.schedule-errors
 *                             device-waits
 * herald.devices  ─► global store devices
 * herald.contacts ─► global store contacts (by id and by tenant + phone)
 * </pre>
 */
public final class SchedulerTopology {

  private SchedulerTopology() {}

  /** The topology with metrics into a throw-away registry. */
  public static Topology build(SchedulerConfig config) {
    return build(config, SchedulerMetrics.noop());
  }

  /** The topology deciding on the Streams clock (tests drive it with TopologyTestDriver). */
  public static Topology build(SchedulerConfig config, SchedulerMetrics metrics) {
    return build(config, metrics, NowSource.streamsClock());
  }

  /**
   * The topology deciding on {@code now}; see {@link NowSource} for why production separates them.
   */
  public static Topology build(SchedulerConfig config, SchedulerMetrics metrics, NowSource now) {
    Topology topology = new Topology();

    topology.addGlobalStore(
        globalStore(Names.DEVICES_STORE, new JsonSerde<>(DeviceInfo.class)),
        Names.DEVICES_SOURCE,
        Serdes.String().deserializer(),
        Topics.DEVICES.valueSerde().deserializer(),
        Topics.DEVICES.name(),
        Names.DEVICES_UPDATER,
        () -> new DevicesUpdater(metrics));
    topology.addGlobalStore(
        globalStore(Names.CONTACTS_STORE, new JsonSerde<>(ContactInfo.class)),
        Names.CONTACTS_SOURCE,
        Serdes.String().deserializer(),
        Topics.CONTACTS.valueSerde().deserializer(),
        Topics.CONTACTS.name(),
        Names.CONTACTS_UPDATER,
        () -> new ContactsUpdater(metrics));

    // Values are read as bytes: the decoder dead-letters poison records itself (see there why).
    topology.addSource(
        Names.SCHEDULE_CHANGES_SOURCE,
        Topics.SCHEDULE_CHANGES.keySerde().deserializer(),
        Serdes.ByteArray().deserializer(),
        Topics.SCHEDULE_CHANGES.name());
    topology.addProcessor(
        Names.SCHEDULE_CHANGE_DECODER,
        () -> new ScheduleChangeDecoder(metrics),
        Names.SCHEDULE_CHANGES_SOURCE);
    topology.addProcessor(
        Names.SCHEDULE_CHANGE_PROCESSOR,
        () -> new ScheduleChangeProcessor(config, metrics, now),
        Names.SCHEDULE_CHANGE_DECODER);
    // Poison the decoder cannot read, and changes the processor set aside (a failure their
    // content caused), are dead-lettered alike.
    topology.addSink(
        Names.DEAD_LETTER_SINK,
        Topics.SCHEDULE_CHANGES.dlqName(),
        Serdes.String().serializer(),
        Serdes.ByteArray().serializer(),
        Names.SCHEDULE_CHANGE_DECODER,
        Names.SCHEDULE_CHANGE_PROCESSOR);
    // The three stores the stream thread rewrites on every firing use the compact binary format
    // (StoreSerde, which still reads their former JSON values).
    topology.addStateStore(
        store(Names.SCHEDULES_STORE, Serdes.String(), StoreSerde.scheduleState()),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addStateStore(
        store(Names.TIMERS_STORE, Serdes.Bytes(), Serdes.String()),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addStateStore(
        store(Names.FANOUTS_STORE, Serdes.String(), StoreSerde.fanOutJob()),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addStateStore(
        store(Names.RECIPIENTS_STORE, Serdes.String(), StoreSerde.recipientChunk()),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addStateStore(
        store(Names.DEVICE_WAITS_STORE, Serdes.String(), Serdes.Long()),
        Names.SCHEDULE_CHANGE_PROCESSOR);

    topology.addSink(
        Names.SEND_COMMANDS_SINK,
        Topics.SEND_COMMANDS.name(),
        Topics.SEND_COMMANDS.keySerde().serializer(),
        Topics.SEND_COMMANDS.valueSerde().serializer(),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addSink(
        Names.OCCURRENCES_SINK,
        Topics.OCCURRENCES.name(),
        Topics.OCCURRENCES.keySerde().serializer(),
        Topics.OCCURRENCES.valueSerde().serializer(),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addSink(
        Names.SCHEDULE_ERRORS_SINK,
        Topics.SCHEDULE_ERRORS.name(),
        Topics.SCHEDULE_ERRORS.keySerde().serializer(),
        Topics.SCHEDULE_ERRORS.valueSerde().serializer(),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addSink(
        Names.DELIVERY_RESULTS_SINK,
        Topics.DELIVERY_RESULTS.name(),
        Topics.DELIVERY_RESULTS.keySerde().serializer(),
        Topics.DELIVERY_RESULTS.valueSerde().serializer(),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    topology.addSink(
        Names.SCHEDULE_STATES_SINK,
        Topics.SCHEDULE_STATES.name(),
        Topics.SCHEDULE_STATES.keySerde().serializer(),
        Topics.SCHEDULE_STATES.valueSerde().serializer(),
        Names.SCHEDULE_CHANGE_PROCESSOR);
    return topology;
  }

  private static <K, V> StoreBuilder<KeyValueStore<K, V>> store(
      String name,
      org.apache.kafka.common.serialization.Serde<K> keySerde,
      org.apache.kafka.common.serialization.Serde<V> valueSerde) {
    // Changelogged (the default): a wiped state dir is restored from <app-id>-<name>-changelog.
    // Cached: a tick's writes reach RocksDB and the changelog at commit, as one batch per store,
    // and a key written twice before the commit is written once (docs/BENCHMARKS.md, bursts).
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde, valueSerde)
        .withCachingEnabled();
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> globalStore(
      String name, org.apache.kafka.common.serialization.Serde<V> valueSerde) {
    // Global stores restore from their source topic; a changelog would only duplicate it.
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
        .withLoggingDisabled();
  }

  /**
   * Streams properties. Precedence: defaults &lt; KAFKA_* passthrough &lt; owned keys (set last,
   * and SchedulerConfig already refuses a passthrough that names one).
   */
  public static Properties streamsProperties(SchedulerConfig config, SchedulerMetrics metrics) {
    // One stream thread per core, up to one per partition: a single thread was the whole bound of
    // a burst and of CDC at 1,000 changes/s in the benchmarks. KAFKA_NUM_STREAM_THREADS overrides.
    int threads =
        Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), config.partitions()));
    // One record size end to end: every record the tasks write (outputs, dead letters,
    // changelogs) may be as large as the topics accept, and the changelogs Streams creates
    // accept what the producer sends. A record Kafka still refuses is dropped and counted by the
    // handler instead of killing the thread on every restart.
    return KafkaClients.streams(
            config.bootstrapServers(),
            config.kafkaPassthrough(),
            config.applicationId(),
            Limits.MAX_RECORD_BYTES)
        .byDefault(
            StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG,
            Integer.toString(config.numStandbyReplicas()))
        .byDefault(
            StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(config.replicationFactor()))
        .byDefault(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads))
        .set(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString())
        .set(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .set(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true")
        .set(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName())
        .set(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName())
        .set(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            LogAndCountDeserializationHandler.class.getName())
        .set(LogAndCountDeserializationHandler.METRICS_CONFIG, metrics)
        .set(
            StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
            Integer.toString(Limits.TOPIC_MAX_MESSAGE_BYTES))
        .set(
            StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
            OversizedRecordHandler.class.getName())
        .set(OversizedRecordHandler.METRICS_CONFIG, metrics)
        .toProperties();
  }
}
