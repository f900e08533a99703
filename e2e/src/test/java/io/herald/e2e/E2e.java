package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;

/** Small helpers shared by the suites. */
final class E2e {

  private E2e() {}

  /** Requests the fake received for the devices of {@code w}. */
  static long requestsFor(Workload w) {
    Set<String> pnids = w.phoneNumberIds();
    return w.pipeline.fake.requests().stream()
        .filter(r -> r.phoneNumberId() != null && pnids.contains(r.phoneNumberId()))
        .count();
  }

  static void awaitRequests(Workload w, long atLeast, Duration timeout) {
    await("at least " + atLeast + " requests for the workload")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> requestsFor(w) >= atLeast);
  }

  /**
   * What the scheduler published for the schedules of {@code w} (states, errors, occurrences), one
   * line per record: the trail to read when a verdict shows lost sends.
   */
  static String trail(Workload w) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    w.planned.forEach(p -> keys.add(p.key()));
    StringBuilder b = new StringBuilder();
    for (String topic :
        java.util.List.of(
            io.herald.contracts.topic.Topics.SCHEDULE_STATES.name(),
            io.herald.contracts.topic.Topics.SCHEDULE_ERRORS.name(),
            io.herald.contracts.topic.Topics.OCCURRENCES.name())) {
      for (var r : w.pipeline.readAll(topic)) {
        if (r.key() != null && keys.contains(r.key())) {
          b.append("\n  ")
              .append(topic)
              .append(" ts=")
              .append(java.time.Instant.ofEpochMilli(r.timestamp()))
              .append(' ')
              .append(Pipeline.utf8(r.value()));
        }
      }
    }
    return b.toString();
  }

  /** Duplicates, lost and unexpected are zero; unknown is at most {@code maxUnknown}. */
  /**
   * The most commands a sender dying mid-call can leave unknown in {@code w}: every device's calls
   * in flight (ADR 0020), as the pipeline bounds them.
   */
  static int inFlightBound(Workload w) {
    return w.devices.size() * Pipeline.MAX_CALLS_IN_FLIGHT_PER_DEVICE;
  }

  static void assertClean(Verdict v, int maxUnknown) {
    assertClean(v, maxUnknown, null);
  }

  /** The same, printing the scheduler's trail for {@code w}'s schedules when something is lost. */
  static void assertClean(Verdict v, int maxUnknown, Workload w) {
    String details = v + "\n  " + String.join("\n  ", v.examples());
    if (w != null && v.lost() > 0) {
      details += "\n scheduler trail:" + trail(w);
    }
    assertThat(v.duplicates()).as("duplicates: " + details).isZero();
    assertThat(v.lost()).as("lost: " + details).isZero();
    assertThat(v.unexpected()).as("unexpected: " + details).isZero();
    assertThat(v.unknown()).as("unknown: " + details).isLessThanOrEqualTo(maxUnknown);
  }
}
