package io.herald.bench.herald;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What {@link StateScaleScenario} reads off the running scheduler and the machine: heap and RSS,
 * the admin server's metrics, and the size of the state directory.
 */
final class StateScaleProbes {

  private StateScaleProbes() {}

  /**
   * Waits until Herald's CDC has gone quiet: the engine's change counters (events produced plus
   * state-only updates dropped) unchanged for 5 s. Not the slot's confirmed LSN: without new
   * changes to the captured tables Debezium does not confirm WAL written by other tables, so that
   * never catches up on its own. False on timeout.
   */
  static boolean awaitCdcQuiet(HeraldScheduler herald, Duration timeout) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + herald.adminPort() + "/metrics"))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    double last = -1;
    int quietSeconds = 0;
    while (System.nanoTime() < deadline) {
      double seen = 0;
      for (String line :
          http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
              .body()
              .split("\n")) {
        if (line.startsWith("herald_scheduler_cdc_events_total")
            || line.startsWith("herald_scheduler_cdc_dropped_state_only_total")) {
          seen += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      quietSeconds = seen == last ? quietSeconds + 1 : 0;
      if (quietSeconds >= 5) {
        return true;
      }
      last = seen;
      Thread.sleep(1_000);
    }
    return false;
  }

  /** {heap used after GC, RSS} in bytes. */
  static long[] memory() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(200);
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rss = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no RSS
    }
    return new long[] {heap, rss};
  }

  /** Sum of a Prometheus metric's samples (every label set) from the admin server. */
  static double gauge(int port, String name) throws IOException {
    double sum = 0;
    URL url = new URL("http://127.0.0.1:" + port + "/metrics");
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  /** Apparent size of every file under dir; per store (the directory under "rocksdb"). */
  static long apparentBytes(Path dir, Map<String, Long> perStore) throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        long size = Files.size(p);
        total += size;
        Path rel = dir.relativize(p);
        String store = "other files";
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
          if (rel.getName(i).toString().equals("rocksdb")) {
            store = rel.getName(i + 1).toString();
          }
        }
        perStore.merge(store, size, Long::sum);
      }
    }
    return total;
  }

  /** Allocated size ({@code du -sk}), or the apparent size when du is not there. */
  static long duBytes(Path dir) throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() == 0) {
        return Long.parseLong(out.trim().split("\\s+")[0]) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      // fall through
    }
    return apparentBytes(dir, new TreeMap<>());
  }
}
