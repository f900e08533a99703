package io.herald.scheduler.cdc;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;

/**
 * One scheduler instance's CDC half in a process of its own, so that {@link EngineLeadershipIT} can
 * kill it with SIGKILL: no revocation callback, no LeaveGroup, no offset commit, the replication
 * connection dropped by the kernel. Prints marker lines the test waits for.
 *
 * <p>Arguments: applicationId bootstrapServers jdbcUrl jdbcUser jdbcPassword slot offsetsTopic
 * leaderTopic sessionTimeoutMs
 */
public final class LeaderInstanceMain {

  static final String ELECTED = "herald-it-marker: elected";
  static final String STREAMING = "herald-it-marker: streaming";

  private LeaderInstanceMain() {}

  public static void main(String[] args) throws Exception {
    CdcConfig config =
        new CdcConfig(
            true,
            args[0],
            args[1],
            args[2],
            args[3],
            args[4].isEmpty() ? null : args[4],
            args[5],
            CdcConfig.DEFAULT_POLL_INTERVAL,
            args[6],
            (short) 1,
            args[7],
            Duration.ofMillis(Long.parseLong(args[8])),
            Duration.ofSeconds(20),
            Map.of(),
            true);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CdcEngine engine = new CdcEngine(config, registry);
    EngineLeadership leadership =
        new EngineLeadership(
            config,
            new EngineLeadership.Listener() {
              @Override
              public void onElected() {
                System.out.println(ELECTED);
                engine.onElected();
              }

              @Override
              public void onDemoted() {
                engine.onDemoted();
              }
            },
            registry);
    leadership.start();
    boolean reported = false;
    while (true) {
      if (!reported && engine.isStreaming()) {
        System.out.println(STREAMING);
        reported = true;
      }
      Thread.sleep(50); // status polling of a throw-away test process
    }
  }
}
