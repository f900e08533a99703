package io.herald.webhook.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The receiver's meters, every series registered at start (a dashboard shows 0, not "no data",
 * before the first bad signature). Labels are the bounded {@link Outcome} only: never a phone
 * number id, a path or a header.
 */
public final class WebhookMetrics {

  /** What became of one request to the webhook path. */
  public enum Outcome {
    /** A signed POST, acknowledged by Kafka: answered 200. */
    ACCEPTED,
    /** Signature missing, malformed or wrong: 401. */
    BAD_SIGNATURE,
    /** Body over the bound: 413. */
    TOO_LARGE,
    /** Signed, but not a UTF-8 JSON object; or a malformed handshake: 400. */
    BAD_REQUEST,
    /** Kafka did not acknowledge in time: 503, the provider retries. */
    PRODUCE_FAILED,
    /** Handshake answered with the challenge: 200. */
    VERIFY_OK,
    /** Handshake with a wrong token or mode: 403. */
    VERIFY_REFUSED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
  private final Timer produceLatency;
  private final Counter acceptedBytes;

  public WebhookMetrics(MeterRegistry registry) {
    for (Outcome o : Outcome.values()) {
      requests.put(
          o,
          Counter.builder("herald.webhook.requests")
              .description("Requests to the webhook path, by outcome")
              .tag("outcome", o.label())
              .register(registry));
    }
    produceLatency =
        Timer.builder("herald.webhook.produce.latency")
            .description("Time from send to the broker's acknowledgement (or the give-up)")
            .publishPercentileHistogram()
            // the answer waits at most HERALD_WEBHOOK_PRODUCE_TIMEOUT, itself at most 60 s
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    acceptedBytes =
        Counter.builder("herald.webhook.accepted.bytes")
            .description("Body bytes of accepted webhook POSTs")
            .register(registry);
  }

  public void count(Outcome outcome) {
    requests.get(outcome).increment();
  }

  public void produced(Duration latency) {
    produceLatency.record(latency);
  }

  public void accepted(int bytes) {
    acceptedBytes.increment(bytes);
  }
}
