package io.herald.sender.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook projection's meters (ADR 0021), apart from {@link SenderMetrics} so that a sender
 * with the projection off shows none of them. Every series is registered at start; tags are bounded
 * (status words, what was unmatched), never a number or a message id.
 */
public final class WebhookMetrics {

  /** Values of the {@code status} tag of {@code herald_sender_webhook_statuses_total}. */
  public static final List<String> STATUSES = List.of("sent", "delivered", "failed", "read");

  /** Values of the {@code what} tag of {@code herald_sender_webhook_unmatched_total}. */
  public static final List<String> UNMATCHED = List.of("message", "device");

  private final Counter records;
  private final Map<String, Counter> statuses = new ConcurrentHashMap<>();
  private final Counter notForward;
  private final Map<String, Counter> unmatched = new ConcurrentHashMap<>();
  private final Counter invalidItems;
  private final Counter inbound;
  private final Counter optOuts;
  private final Counter qualityUpdates;
  private final Counter deadLetters;
  private final Counter failures;
  private final Timer lag;

  public WebhookMetrics(MeterRegistry registry) {
    records =
        Counter.builder("herald.sender.webhook.records")
            .description("Webhook records consumed from herald.whatsapp-webhooks and settled")
            .register(registry);
    for (String s : STATUSES) {
      statuses.put(
          s,
          Counter.builder("herald.sender.webhook.statuses")
              .description("Provider statuses applied to a delivery (moved it forward)")
              .tag("status", s)
              .register(registry));
    }
    notForward =
        Counter.builder("herald.sender.webhook.statuses.ignored")
            .description(
                "Provider statuses not applied: a duplicate, or older than the delivery's status")
            .register(registry);
    for (String w : UNMATCHED) {
      unmatched.put(
          w,
          Counter.builder("herald.sender.webhook.unmatched")
              .description(
                  "Webhook items skipped: message id of no delivery (purged, or another tool's),"
                      + " or a number of no Cloud API device")
              .tag("what", w)
              .register(registry));
    }
    invalidItems =
        Counter.builder("herald.sender.webhook.items.invalid")
            .description("Webhook items skipped: a field Herald needs missing or unusable")
            .register(registry);
    inbound =
        Counter.builder("herald.sender.webhook.inbound.messages")
            .description("Inbound messages that opened or renewed a contact's 24-hour window")
            .register(registry);
    optOuts =
        Counter.builder("herald.sender.webhook.opt.outs")
            .description("Inbound opt-out keywords applied to the device tenant's contacts")
            .register(registry);
    qualityUpdates =
        Counter.builder("herald.sender.webhook.quality.updates")
            .description("Quality or messaging-limit updates written to a device")
            .register(registry);
    deadLetters =
        Counter.builder("herald.sender.webhook.dead.letters")
            .description(
                "Webhook records unreadable, malformed or refused by PostgreSQL, sent to"
                    + " herald.whatsapp-webhooks.dlq")
            .register(registry);
    failures =
        Counter.builder("herald.sender.webhook.failures")
            .description(
                "Webhook projection attempts failed on the database or the broker (retried)")
            .register(registry);
    lag =
        Timer.builder("herald.sender.webhook.lag")
            .description("From the receiver accepting a webhook to its projection committing")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofHours(1))
            .register(registry);
  }

  public void record() {
    records.increment();
  }

  /** A status moved a delivery forward; {@code status} is one of {@link #STATUSES}. */
  public void statusApplied(String status, int n) {
    Counter c = statuses.get(status);
    if (c != null) {
      c.increment(n);
    }
  }

  public void notForward(int n) {
    notForward.increment(n);
  }

  /** {@code what} is one of {@link #UNMATCHED}. */
  public void unmatched(String what, int n) {
    unmatched.get(what).increment(n);
  }

  public void invalidItems(int n) {
    invalidItems.increment(n);
  }

  public void inbound(int n) {
    inbound.increment(n);
  }

  public void optOuts(int n) {
    optOuts.increment(n);
  }

  public void qualityUpdates(int n) {
    qualityUpdates.increment(n);
  }

  public void deadLetter() {
    deadLetters.increment();
  }

  public void failure() {
    failures.increment();
  }

  /** Receiver to projection, of one applied record; a negative one (clock skew) counts as 0. */
  public void lag(Duration d) {
    lag.record(d.isNegative() ? Duration.ZERO : d);
  }
}
