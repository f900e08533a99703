package io.herald.scheduler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.scheduler.timer.TimerKey;
import io.herald.scheduler.timer.TimerKeyCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20's "due in the next minutes": the timers store counted by window, bounded. */
class DueSoonScanTest {

  private static final Duration TICK = Duration.ofMillis(250);

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void arm(String key, Instant due) {
    f.timers().put(Bytes.wrap(TimerKeyCodec.encode(new TimerKey(due, key))), key);
  }

  private Map<String, Double> dueSoon() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String w : DueSoonScan.WITHIN) {
      out.put(
          w,
          f.metrics.registry().get("herald.scheduler.due.soon").tag("within", w).gauge().value());
    }
    return out;
  }

  private double capped() {
    return f.metrics.registry().get("herald.scheduler.due.soon.capped").gauge().value();
  }

  @Test
  void shouldCountTimersByWindowAndIgnoreThoseOutsideTheHourWhenTheTickScans() {
    Instant scanAt = f.now().plus(TICK);
    arm("s-30s", scanAt.plusSeconds(30));
    arm("s-1m", scanAt.plus(Duration.ofMinutes(1))); // a window's end is inside it
    arm("s-4m", scanAt.plus(Duration.ofMinutes(4)));
    arm("s-10m", scanAt.plus(Duration.ofMinutes(10)));
    arm("s-59m", scanAt.plus(Duration.ofMinutes(59)));
    arm("s-60m", scanAt.plus(Duration.ofMinutes(60)));
    arm("s-61m", scanAt.plus(Duration.ofMinutes(61)));
    arm("s-5h", scanAt.plus(Duration.ofHours(5)));
    arm("s-1m-1ns", scanAt.plus(Duration.ofMinutes(1)).plusNanos(1));

    f.advance(TICK);

    assertThat(dueSoon())
        .containsExactly(
            Map.entry("1m", 2.0),
            Map.entry("5m", 4.0),
            Map.entry("15m", 5.0),
            Map.entry("60m", 7.0));
    assertThat(capped()).isZero();
  }

  @Test
  void shouldRescanOnlyWhenTheIntervalHasPassed() {
    Instant scanAt = f.now().plus(TICK);
    arm("a", scanAt.plus(Duration.ofMinutes(3)));
    f.advance(TICK);
    assertThat(dueSoon().get("5m")).isEqualTo(1.0);

    arm("b", scanAt.plus(Duration.ofMinutes(2)));
    f.advance(Duration.ofSeconds(1));
    assertThat(dueSoon().get("5m")).as("not rescanned within the interval").isEqualTo(1.0);

    f.advance(DueSoonScan.INTERVAL);
    assertThat(dueSoon().get("5m")).isEqualTo(2.0);
  }

  @Test
  void shouldStopAtTheCapAndFlagItWhenMoreTimersAreDueThanTheCap() {
    SchedulerMetrics metrics = SchedulerMetrics.noop();
    SchedulerMetrics.TaskGauges gauges = metrics.registerTask("0_0");
    Instant now = f.now();
    for (int i = 0; i < 5; i++) {
      arm("k" + i, now.plusSeconds(10 + i));
    }
    arm("later", now.plus(Duration.ofMinutes(30)));

    new DueSoonScan(f.timers(), gauges, 3).scan(now);

    assertThat(gauges.dueSoon(0)).isEqualTo(3);
    assertThat(gauges.dueSoon(3)).isEqualTo(3);
    assertThat(gauges.dueSoonCapped()).isEqualTo(1);

    new DueSoonScan(f.timers(), gauges, 6).scan(now);
    assertThat(gauges.dueSoon(3)).isEqualTo(6);
    assertThat(gauges.dueSoonCapped()).as("a scan under its cap clears the flag").isZero();
  }
}
