package io.herald.sender.lane;

import io.herald.sender.ledger.ContactWindows;
import io.herald.sender.ledger.DeliveryLedger;
import io.herald.sender.ledger.DeviceDirectory;
import io.herald.sender.ledger.FrequencyCaps;
import io.herald.sender.ledger.MessagingLimits;
import io.herald.sender.ledger.OptOuts;
import io.herald.sender.ledger.QuietHours;
import io.herald.sender.metrics.SenderMetrics;
import io.herald.sender.transport.OutcomeClassifier;
import io.herald.sender.transport.Transports;
import java.time.Clock;
import java.util.Objects;

/** What every lane talks to: ports, pure policies and settings. Immutable. */
public record LaneContext(
    DeliveryLedger ledger,
    DeviceDirectory devices,
    OptOuts optOuts,
    Transports transports,
    OutcomeClassifier classifier,
    RetryBackoff backoff,
    PacingPolicy pacing,
    ResultSink results,
    SenderMetrics metrics,
    Clock clock,
    LaneSettings settings,
    ContactWindows windows,
    MessagingLimits limits,
    FrequencyCaps caps,
    QuietHours quiet) {

  /** A context without recipients' windows: every recipient counts as outside its window. */
  public LaneContext(
      DeliveryLedger ledger,
      DeviceDirectory devices,
      OptOuts optOuts,
      Transports transports,
      OutcomeClassifier classifier,
      RetryBackoff backoff,
      PacingPolicy pacing,
      ResultSink results,
      SenderMetrics metrics,
      Clock clock,
      LaneSettings settings) {
    this(
        ledger,
        devices,
        optOuts,
        transports,
        classifier,
        backoff,
        pacing,
        results,
        metrics,
        clock,
        settings,
        ContactWindows.NONE,
        MessagingLimits.NONE,
        FrequencyCaps.NONE,
        QuietHours.NONE);
  }

  public LaneContext {
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(devices, "devices");
    Objects.requireNonNull(optOuts, "optOuts");
    Objects.requireNonNull(transports, "transports");
    Objects.requireNonNull(classifier, "classifier");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(pacing, "pacing");
    Objects.requireNonNull(results, "results");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(windows, "windows");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(caps, "caps");
    Objects.requireNonNull(quiet, "quiet");
  }
}
