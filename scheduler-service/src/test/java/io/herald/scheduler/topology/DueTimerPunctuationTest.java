package io.herald.scheduler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.serde.JsonSerde;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.store.FanOutJob;
import io.herald.scheduler.store.RecipientChunk;
import io.herald.scheduler.store.ScheduleState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor and its punctuation alone, with {@link MockProcessorContext}: the punctuator is
 * captured and fired by hand, the way Kafka's own processor tests do it.
 */
class DueTimerPunctuationTest {

  private static final Instant T0 = Instant.parse("2026-06-01T06:00:00Z");
  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

  @TempDir Path stateDir;
  private MockProcessorContext<String, Object> context;
  private ScheduleChangeProcessor processor;
  private final SchedulerMetrics metrics = SchedulerMetrics.noop();
  private SchedulerConfig config;

  @BeforeEach
  void setUp() {
    config =
        SchedulerConfig.defaults("unused:9092")
            .withInstance("punctuation-test", stateDir)
            .withTuning(Duration.ofMillis(500), 2, 50_000, Duration.ofSeconds(30));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "punctuation-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    context = new MockProcessorContext<>(props);
    addStore(Names.SCHEDULES_STORE, Serdes.String(), new JsonSerde<>(ScheduleState.class));
    addStore(Names.TIMERS_STORE, Serdes.Bytes(), Serdes.String());
    addStore(Names.FANOUTS_STORE, Serdes.String(), new JsonSerde<>(FanOutJob.class));
    addStore(Names.RECIPIENTS_STORE, Serdes.String(), new JsonSerde<>(RecipientChunk.class));
    addStore(Names.DEVICE_WAITS_STORE, Serdes.String(), Serdes.Long());
    KeyValueStore<String, DeviceInfo> devices =
        addStore(Names.DEVICES_STORE, Serdes.String(), new JsonSerde<>(DeviceInfo.class));
    KeyValueStore<String, ContactInfo> contacts =
        addStore(Names.CONTACTS_STORE, Serdes.String(), new JsonSerde<>(ContactInfo.class));
    devices.put(
        SchedulerFixture.DEVICE,
        new DeviceInfo(
            1,
            SchedulerFixture.DEVICE,
            SchedulerFixture.TENANT,
            "simulated",
            "active",
            null,
            false));
    for (int i = 1; i <= 5; i++) {
      contacts.put(
          SchedulerFixture.contactId(i),
          new ContactInfo(
              1,
              SchedulerFixture.contactId(i),
              SchedulerFixture.TENANT,
              SchedulerFixture.phone(i),
              "C" + i,
              Map.of(),
              false,
              false));
    }
    context.setCurrentSystemTimeMs(T0.toEpochMilli());
    processor = new ScheduleChangeProcessor(config, metrics);
    processor.init(context);
  }

  private <K, V> KeyValueStore<K, V> addStore(String name, Serde<K> k, Serde<V> v) {
    KeyValueStore<K, V> store =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), k, v)
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private CapturedPunctuator punctuator() {
    return context.scheduledPunctuators().get(0);
  }

  @Nested
  class Scheduling {

    @Test
    void shouldScheduleOneWallClockPunctuationWhenInitialized() {
      assertThat(context.scheduledPunctuators())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
                assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(500));
              });
    }
  }

  @Nested
  class Slices {

    @Test
    void shouldEmitAtMostTheBudgetPerPunctuationWhenAFanOutIsLarge() {
      List<String> five =
          List.of(
              SchedulerFixture.contactId(1),
              SchedulerFixture.contactId(2),
              SchedulerFixture.contactId(3),
              SchedulerFixture.contactId(4),
              SchedulerFixture.contactId(5));
      ScheduleChange c =
          SchedulerFixture.recurring(
              "r1", SchedulerFixture.daily("09:00", "Europe/Berlin"), five, "Hi {name}");
      processor.process(new Record<>(c.scheduleKey(), c, T0.toEpochMilli()));

      punctuator().getPunctuator().punctuate(NINE.toEpochMilli());
      assertThat(commands()).hasSize(2);
      assertThat(occurrences()).isEmpty();

      context.resetForwards();
      punctuator().getPunctuator().punctuate(NINE.plusMillis(500).toEpochMilli());
      assertThat(commands()).hasSize(2);

      context.resetForwards();
      punctuator().getPunctuator().punctuate(NINE.plusMillis(1_000).toEpochMilli());
      assertThat(commands()).extracting(SendCommand::text).containsExactly("Hi C5");
      assertThat(occurrences())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.recipientCount()).isEqualTo(5);
                assertThat(o.firedAt()).isEqualTo(NINE);
              });
      assertThat(
              metrics
                  .registry()
                  .get("herald.scheduler.commands.emitted")
                  .tag("kind", "recurring")
                  .counter()
                  .count())
          .isEqualTo(5.0);
      assertThat(
              metrics
                  .registry()
                  .get("herald.scheduler.occurrences.fired")
                  .tag("kind", "recurring")
                  .counter()
                  .count())
          .isEqualTo(1.0);
      assertThat(metrics.registry().get("herald.scheduler.pending.timers").gauge().value())
          .isEqualTo(1.0);
      assertThat(
              metrics
                  .registry()
                  .get("herald.scheduler.active.schedules")
                  .tag("kind", "recurring")
                  .gauge()
                  .value())
          .isEqualTo(1.0);
    }
  }

  private List<SendCommand> commands() {
    return context.forwarded(Names.SEND_COMMANDS_SINK).stream()
        .map(f -> (SendCommand) f.record().value())
        .toList();
  }

  private List<Occurrence> occurrences() {
    return context.forwarded(Names.OCCURRENCES_SINK).stream()
        .map(f -> (Occurrence) f.record().value())
        .toList();
  }
}
