package io.herald.scheduler.cdc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-table CDC metrics of {@link ChangeBatches}: events produced, state-only updates dropped,
 * values cut, poison rows, dead letters, mapping failures and lag. The known series are registered
 * up front so dashboards show zeros rather than gaps.
 */
final class CdcMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> eventCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> droppedCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> cutCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> poisonCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetterCounters = new ConcurrentHashMap<>();
  private final Counter mappingFailures;
  private final Timer lag;

  CdcMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.mappingFailures =
        Counter.builder("herald.scheduler.cdc.mapping.failures")
            .description(
                "Change events the mapper or serializer failed on; dead-lettered, and"
                    + " reported invalid when they are definitions")
            .register(registry);
    this.lag =
        Timer.builder("herald.scheduler.cdc.lag")
            .description("Source commit time to Kafka acknowledgement of the produced event")
            .publishPercentileHistogram()
            .register(registry);
    // Pre-register the known series so dashboards show zeros rather than gaps.
    for (String table : RowMapper.TABLES) {
      for (String op : List.of("create", "read", "update", "delete")) {
        eventCounter(table, op);
      }
      droppedCounter(table);
      poisonCounter(table, "too_large");
      poisonCounter(table, "unreadable");
      deadLetterCounter(table, "written");
      deadLetterCounter(table, "refused");
    }
    for (String table : List.of(RowMapper.DEVICES, RowMapper.CONTACTS)) {
      cutCounter(table);
    }
  }

  /** Change events the mapper or serializer failed on. */
  Counter mappingFailures() {
    return mappingFailures;
  }

  /** Source commit time to Kafka acknowledgement of the produced event. */
  Timer lag() {
    return lag;
  }

  Counter eventCounter(String table, String op) {
    return eventCounters.computeIfAbsent(
        table + "/" + op,
        k ->
            Counter.builder("herald.scheduler.cdc.events")
                .description("Canonical events produced from row changes")
                .tag("table", table)
                .tag("op", op)
                .register(registry));
  }

  Counter cutCounter(String table) {
    return cutCounters.computeIfAbsent(
        table,
        t ->
            Counter.builder("herald.scheduler.cdc.cut.values")
                .description("Contact and device values cut or dropped to fit Herald's limits")
                .tag("table", t)
                .register(registry));
  }

  Counter poisonCounter(String table, String reason) {
    return poisonCounters.computeIfAbsent(
        table + "/" + reason,
        k ->
            Counter.builder("herald.scheduler.cdc.poison.rows")
                .description(
                    "Changes produced as a rejection stub or dead letter instead of their"
                        + " event (reason=too_large|unreadable)")
                .tag("table", table)
                .tag("reason", reason)
                .register(registry));
  }

  Counter deadLetterCounter(String table, String result) {
    return deadLetterCounters.computeIfAbsent(
        table + "/" + result,
        k ->
            Counter.builder("herald.scheduler.cdc.dead.letters")
                .description(
                    "Raw changes written to a dead-letter topic (result=written), or refused"
                        + " there as too large (result=refused)")
                .tag("table", table)
                .tag("result", result)
                .register(registry));
  }

  Counter droppedCounter(String table) {
    return droppedCounters.computeIfAbsent(
        table == null ? "unknown" : table,
        t ->
            Counter.builder("herald.scheduler.cdc.dropped.state.only")
                .description("Updates dropped because they changed only Herald's state columns")
                .tag("table", t)
                .register(registry));
  }
}
