package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.TENANT;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.scheduler.store.StoreSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology's changelogs carry the binary store format, never JSON: format 2, and format 3 for
 * fan-out jobs (ADR 0016).
 */
class StoreFormatTopologyTest {

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    // One command per tick keeps the fan-out job stored across ticks, so it reaches the changelog.
    f = new SchedulerFixture(stateDir, 1, 50_000);
    f.device(DEVICE, TENANT);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void shouldWriteTheBinaryFormatsToTheChangelogsWhenAScheduleIsArmedAndFires() {
    f.send(
        recurring(
            "r1", daily("09:00", "Europe/Berlin"), List.of(phone(1), phone(2), phone(3)), "Hi"));
    f.advance(Duration.ofHours(2));

    Map<String, Byte> formats =
        Map.of(
            Names.SCHEDULES_STORE, StoreSerde.FORMAT_V2,
            Names.RECIPIENTS_STORE, StoreSerde.FORMAT_V2,
            Names.FANOUTS_STORE, StoreSerde.FORMAT_V3);
    for (String store : formats.keySet()) {
      List<byte[]> values =
          f
              .driver
              .createOutputTopic(
                  f.config.applicationId() + "-" + store + "-changelog",
                  new StringDeserializer(),
                  new ByteArrayDeserializer())
              .readRecordsToList()
              .stream()
              .map(TestRecord::value)
              .filter(v -> v != null) // the finished fan-out's tombstone
              .toList();

      assertThat(values).as("values in the changelog of %s", store).isNotEmpty();
      assertThat(values)
          .as("first bytes of the %s changelog values", store)
          .allSatisfy(v -> assertThat(v[0]).isEqualTo(formats.get(store)));
    }
  }
}
