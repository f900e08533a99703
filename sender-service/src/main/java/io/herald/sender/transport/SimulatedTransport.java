package io.herald.sender.transport;

import io.herald.contracts.command.SendCommand;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends nothing: answers after a configurable latency, failing a seeded fraction of calls with a
 * transient 503 (code 131016). For the quick start and benchmarks.
 */
public final class SimulatedTransport implements Transport {

  public static final String KIND = "simulated";

  private final Duration latency;
  private final double failureRate;
  private final SplittableRandom random;
  private final ScheduledExecutorService timer;
  private final AtomicLong ids = new AtomicLong();

  /**
   * @param timer completes the calls after the latency; owned by the caller
   */
  public SimulatedTransport(
      Duration latency, double failureRate, long seed, ScheduledExecutorService timer) {
    if (failureRate < 0 || failureRate > 1) {
      throw new IllegalArgumentException("failureRate must be in [0, 1]");
    }
    this.latency = latency;
    this.failureRate = failureRate;
    this.random = new SplittableRandom(seed);
    this.timer = timer;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Optional<String> configProblem(Map<String, String> config) {
    return Optional.empty(); // nothing leaves the process: any configuration will do
  }

  @Override
  public Double defaultMaxPerSecond() {
    return null;
  }

  @Override
  public CompletableFuture<TransportResponse> send(Map<String, String> config, SendCommand cmd) {
    boolean fail;
    synchronized (random) {
      fail = failureRate > 0 && random.nextDouble() < failureRate;
    }
    TransportResponse r =
        fail
            ? TransportResponse.error(503, "131016", "simulated failure", null)
            : TransportResponse.accepted(200, "sim." + ids.incrementAndGet());
    if (latency.isZero() || latency.isNegative()) {
      return CompletableFuture.completedFuture(r);
    }
    CompletableFuture<TransportResponse> f = new CompletableFuture<>();
    timer.schedule(() -> f.complete(r), latency.toNanos(), TimeUnit.NANOSECONDS);
    return f;
  }
}
