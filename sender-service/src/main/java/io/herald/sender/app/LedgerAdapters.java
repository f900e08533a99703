package io.herald.sender.app;

import io.herald.sender.config.SenderConfig;
import io.herald.sender.lane.LaneContext;
import io.herald.sender.lane.LaneSettings;
import io.herald.sender.lane.PacingPolicy;
import io.herald.sender.lane.ResultSink;
import io.herald.sender.lane.RetryBackoff;
import io.herald.sender.ledger.DeviceVetting;
import io.herald.sender.ledger.jdbc.GroupCommit;
import io.herald.sender.ledger.jdbc.JdbcContactWindows;
import io.herald.sender.ledger.jdbc.JdbcDeliveryLedger;
import io.herald.sender.ledger.jdbc.JdbcDeviceDirectory;
import io.herald.sender.ledger.jdbc.JdbcFrequencyCaps;
import io.herald.sender.ledger.jdbc.JdbcMessagingLimits;
import io.herald.sender.ledger.jdbc.JdbcOptOuts;
import io.herald.sender.ledger.jdbc.JdbcParkedBacklog;
import io.herald.sender.ledger.jdbc.JdbcPartitionEpochs;
import io.herald.sender.ledger.jdbc.JdbcQuietHours;
import io.herald.sender.metrics.SenderMetrics;
import io.herald.sender.transport.OutcomeClassifier;
import io.herald.sender.transport.Transports;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC adapters of the ledger ports, wired together: the ledger, the opt-out lookup, the device
 * directory and the lanes' parked backlog, whose batch threads ({@link GroupCommit}) are service
 * loops reporting to the app's registry and, when one dies, to its fatal callback.
 */
final class LedgerAdapters implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LedgerAdapters.class);

  final JdbcDeliveryLedger ledger;
  final JdbcOptOuts optOuts;
  final JdbcContactWindows windows;
  final JdbcMessagingLimits limits;
  final JdbcFrequencyCaps caps;
  final JdbcQuietHours quiet;
  final JdbcDeviceDirectory devices;
  final JdbcParkedBacklog backlog;
  final JdbcPartitionEpochs epochs;

  LedgerAdapters(
      DataSource dataSource,
      SenderMetrics metrics,
      Clock clock,
      Duration deviceRefresh,
      DeviceVetting vetting,
      Set<String> activeDeviceStatuses,
      String consumerGroup,
      String instanceId,
      MeterRegistry registry,
      Consumer<Throwable> onFatal) {
    GroupCommit.Supervision batchThreads = new GroupCommit.Supervision(registry, onFatal);
    this.ledger =
        new JdbcDeliveryLedger(
            dataSource,
            JdbcDeliveryLedger.DEFAULT_MAX_BATCH,
            (size, nanos, ok) -> metrics.dbBatch("claim", size, nanos, ok),
            (size, nanos, ok) -> metrics.dbBatch("finish", size, nanos, ok),
            batchThreads);
    this.optOuts =
        new JdbcOptOuts(
            dataSource,
            JdbcDeliveryLedger.DEFAULT_MAX_BATCH,
            (size, nanos, ok) -> metrics.dbBatch("opt_out", size, nanos, ok),
            batchThreads);
    this.windows =
        new JdbcContactWindows(
            dataSource,
            JdbcDeliveryLedger.DEFAULT_MAX_BATCH,
            (size, nanos, ok) -> metrics.dbBatch("contact_window", size, nanos, ok),
            batchThreads);
    this.limits = new JdbcMessagingLimits(dataSource, 2);
    this.caps = new JdbcFrequencyCaps(dataSource, clock, deviceRefresh, 2);
    this.quiet = new JdbcQuietHours(dataSource, clock, deviceRefresh);
    this.devices =
        new JdbcDeviceDirectory(
            dataSource, clock, deviceRefresh, vetting, activeDeviceStatuses, batchThreads);
    this.backlog = new JdbcParkedBacklog(dataSource, consumerGroup, batchThreads);
    this.epochs = new JdbcPartitionEpochs(dataSource, consumerGroup, instanceId);
  }

  /** What every lane talks to: these adapters, the transports, the policies from the config. */
  LaneContext laneContext(
      SenderConfig config,
      Transports transports,
      OutcomeClassifier classifier,
      ResultSink results,
      SenderMetrics metrics,
      Clock clock) {
    return new LaneContext(
        ledger,
        devices,
        optOuts,
        transports,
        classifier,
        new RetryBackoff(
            config.retryBase(), config.retryMax(), new SplittableRandom(config.simulatedSeed())),
        new PacingPolicy(
            config.pairGap(),
            config.autoDelay(),
            config.autoFloor(),
            config.adaptiveMaxFactor(),
            0.9),
        results,
        metrics,
        clock,
        new LaneSettings(
            config.maxAttempts(),
            config.deliveryMode(),
            config.deviceRefresh(),
            Duration.ofSeconds(1),
            System.nanoTime(),
            config.maxInFlightPerDevice()),
        windows,
        limits,
        caps,
        quiet);
  }

  /** False once a batch thread died: nothing can be claimed, finished or looked up any more. */
  boolean healthy() {
    return ledger.healthy()
        && optOuts.healthy()
        && windows.healthy()
        && devices.healthy()
        && backlog.healthy();
  }

  /**
   * Closes after the lanes (a lane still finishing a call needs them): the device directory, the
   * opt-outs, then the ledger, each running what is queued first.
   */
  @Override
  public void close() {
    backlog.close(Duration.ofSeconds(5));
    devices.close(Duration.ofSeconds(5));
    optOuts.close(Duration.ofSeconds(5));
    windows.close(Duration.ofSeconds(5));
    limits.close();
    caps.close();
    quiet.close();
    if (!ledger.close(Duration.ofSeconds(10))) {
      // their lanes were stopped already; the claims not made are read again by the next owner
      log.warn("Ledger closed with work left over, failed instead of run");
    }
  }
}
