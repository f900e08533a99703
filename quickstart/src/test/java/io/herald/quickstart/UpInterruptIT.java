package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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

  @TempDir Path dataDir;

  @Test
  void shouldStopEverythingQuietlyWithinSecondsWhenTheTerminalSendsSigint() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs util-linux setsid");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl to reset SIGINT");
    Path classPath = Path.of("target", "runtime-classpath.txt");
    assertThat(classPath).exists();

    List<String> cmd =
        new ArrayList<>(
            List.of(
                // A new session (group id = pid) so the SIGINT below reaches only what this test
                // started;
                // perl restores SIGINT's default, which a background build may have set to
                // "ignore".
                "/usr/bin/setsid",
                "/usr/bin/perl",
                "-e",
                "$SIG{INT}='DEFAULT'; exec @ARGV",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                Path.of("target", "classes").toAbsolutePath()
                    + ":"
                    + Files.readString(classPath).trim(),
                "io.herald.quickstart.HeraldCli",
                "up",
                "--no-demo",
                "--reset",
                "--data-dir",
                dataDir.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("HERALD_") || k.startsWith("KAFKA_"));
    int pgPort = freePort();
    int kafkaPort = freePort2();
    env.put("HERALD_PG_PORT", Integer.toString(pgPort));
    env.put("HERALD_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("HERALD_SCHEDULER_METRICS_PORT", "0");
    env.put("HERALD_SENDER_METRICS_PORT", "0");
    env.put("HERALD_WEBHOOK_PORT", "0");
    env.put("HERALD_WEBHOOK_METRICS_PORT", "0");
    env.put("HERALD_CONSOLE_PORT", "0");
    env.put("HERALD_CONSOLE_METRICS_PORT", "0");

    Process up = pb.start();
    List<String> console = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch started = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  console.add(line);
                  if (line.startsWith("herald up: sender started")) {
                    started.countDown();
                  }
                }
              } catch (IOException e) {
                // the stream closes when the process ends
              }
            },
            "up-console");
    reader.start();
    List<ProcessHandle> children = List.of();
    try {
      assertThat(started.await(START_BOUND.toSeconds(), TimeUnit.SECONDS))
          .as("started within %s; console:%n%s", START_BOUND, String.join("\n", console))
          .isTrue();
      children = up.descendants().collect(Collectors.toList());
      int before = console.size();

      Instant sent = Instant.now();
      int rc =
          new ProcessBuilder("kill", "-INT", "--", "-" + up.pid()).inheritIO().start().waitFor();
      assertThat(rc).as("kill -INT to the process group").isZero();
      boolean exited = up.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS);
      Duration took = Duration.between(sent, Instant.now());
      reader.join(2000);
      List<String> afterStop = List.copyOf(console.subList(before, console.size()));
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
      assertThat(isFree(pgPort)).as("PostgreSQL's port %d released", pgPort).isTrue();
      assertThat(isFree(kafkaPort)).as("the broker's port %d released", kafkaPort).isTrue();
    } finally {
      children.forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A port whose successor (the broker's controller) is free too. */
  private static int freePort2() throws IOException {
    for (int i = 0; i < 20; i++) {
      int p = freePort();
      try (ServerSocket s = new ServerSocket(p + 1)) {
        return p;
      } catch (IOException taken) {
        // try another pair
      }
    }
    throw new IOException("no two consecutive free ports");
  }
}
