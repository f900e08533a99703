package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C in a terminal: {@code herald up} runs as a child in its own process group, on the class
 * path the herald script uses, and gets SIGINT sent to that whole group, as a terminal sends it to
 * its foreground job. It must stop everything (services, broker, PostgreSQL) within seconds and
 * print no ERROR line. Loopback ports only; it ends only the processes it started.
 */
class UpInterruptIT {

  private static final Duration START_BOUND = Duration.ofSeconds(180);
  private static final Duration STOP_BOUND = Duration.ofSeconds(15);

  /**
   * A new session (group id = pid) so the SIGINT below reaches only what this test started; perl
   * restores SIGINT's default, which a background build may have set to "ignore".
   */
  private static final List<String> OWN_PROCESS_GROUP =
      List.of("/usr/bin/setsid", "/usr/bin/perl", "-e", "$SIG{INT}='DEFAULT'; exec @ARGV");

  @TempDir Path dataDir;

  @Test
  void shouldStopEverythingQuietlyWithinSecondsWhenTheTerminalSendsSigint() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs util-linux setsid");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl to reset SIGINT");

    try (UpProcess up =
        UpProcess.start(
            "up-interrupt",
            dataDir,
            List.of("--no-demo", "--reset"),
            Map.of("HERALD_CONSOLE_PORT", "0", "HERALD_CONSOLE_METRICS_PORT", "0"),
            OWN_PROCESS_GROUP)) {
      up.await(Pattern.compile("^herald up: sender started"), START_BOUND);
      List<ProcessHandle> children = up.descendants();
      int before = up.lines().size();

      Instant sent = Instant.now();
      int rc =
          new ProcessBuilder("kill", "-INT", "--", "-" + up.pid()).inheritIO().start().waitFor();
      assertThat(rc).as("kill -INT to the process group").isZero();
      boolean exited = up.waitFor(STOP_BOUND);
      Duration took = Duration.between(sent, Instant.now());
      Thread.sleep(500); // the console's last lines
      List<String> console = up.lines();
      List<String> afterStop = console.subList(before, console.size());
      System.out.printf(
          "herald up stopped on SIGINT in %d ms, %d console lines:%n%s%n",
          took.toMillis(), afterStop.size(), String.join("\n", afterStop));

      assertThat(exited).as("exited within %s", STOP_BOUND).isTrue();
      assertThat(console).as("console").noneMatch(l -> l.contains("ERROR"));
      for (ProcessHandle child : children) {
        assertThat(child.onExit().completeOnTimeout(child, 5, TimeUnit.SECONDS).get().isAlive())
            .as("child %s left behind", child.info().command().orElse("pid " + child.pid()))
            .isFalse();
      }
      // PostgreSQL's postmaster is no child of ours (pg_ctl detaches it): its port tells.
      assertThat(UpProcess.isFree(up.pgPort))
          .as("PostgreSQL's port %d released", up.pgPort)
          .isTrue();
      assertThat(UpProcess.isFree(up.kafkaPort))
          .as("the broker's port %d released", up.kafkaPort)
          .isTrue();
    }
  }
}
