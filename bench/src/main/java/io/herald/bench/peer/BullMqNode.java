package io.herald.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node side of the BullMQ peer: the {@code bench/bullmq} project (its pinned {@code bullmq} and
 * {@code ioredis}, the worker and producer scripts), whether this host can run it at all, and the
 * one {@code npm ci} that installs it when {@code node_modules} is missing.
 */
final class BullMqNode {

  private static final Logger log = LoggerFactory.getLogger(BullMqNode.class);

  private static volatile Optional<String> unavailable;

  private BullMqNode() {}

  /**
   * Why BullMQ cannot run here, or empty when it can: {@code redis-server}, {@code node} and {@code
   * npm} must be on PATH, and the project directory must be found. Checked once per JVM.
   */
  static Optional<String> unavailable() {
    Optional<String> u = unavailable;
    if (u == null) {
      u = check();
      unavailable = u;
    }
    return u;
  }

  private static Optional<String> check() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("redis-server", "node", "npm")) {
      if (onPath(tool).isEmpty()) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      return Optional.of(
          String.join(", ", missing)
              + " not on PATH (Debian: apt-get install -y redis-server nodejs npm)");
    }
    if (projectDir().isEmpty()) {
      return Optional.of("bench/bullmq (package.json) not found above " + codeLocation());
    }
    return Optional.empty();
  }

  /** {@code bench/bullmq}: searched upwards from the jar or classes directory, then from here. */
  static Optional<Path> projectDir() {
    for (Path start : new Path[] {codeLocation(), Path.of("").toAbsolutePath()}) {
      for (Path p = start; p != null; p = p.getParent()) {
        for (Path candidate : new Path[] {p.resolve("bullmq"), p.resolve("bench/bullmq")}) {
          if (Files.isRegularFile(candidate.resolve("package.json"))
              && Files.isRegularFile(candidate.resolve("worker.js"))) {
            return Optional.of(candidate);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Path codeLocation() {
    try {
      return Path.of(BullMqNode.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath();
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("").toAbsolutePath();
    }
  }

  private static Optional<Path> onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return Optional.of(Path.of(d, tool));
      }
    }
    return Optional.empty();
  }

  /**
   * Installs the locked dependencies when {@code node_modules} is missing. A failure here is an
   * error, not a skip: node and npm are present, so a broken install must be seen.
   */
  static synchronized Path ensureInstalled() {
    Path dir = projectDir().orElseThrow(() -> new IllegalStateException("bench/bullmq not found"));
    if (Files.isDirectory(dir.resolve("node_modules/bullmq"))
        && Files.isDirectory(dir.resolve("node_modules/ioredis"))) {
      return dir;
    }
    log.info("installing the BullMQ peer's locked dependencies: npm ci in {}", dir);
    try {
      Path out = Files.createTempFile("herald-bench-npm-", ".log");
      Process p =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("npm ci did not finish within 5 minutes");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("npm ci failed (" + p.exitValue() + "): " + tail(text));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("npm ci in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during npm ci", e);
    }
  }

  /** The installed version of a package in {@code node_modules}, for the results. */
  static String installedVersion(Path dir, String pkg) {
    try {
      JsonNode json =
          new ObjectMapper()
              .readTree(dir.resolve("node_modules").resolve(pkg).resolve("package.json").toFile());
      return json.path("version").asText("?");
    } catch (IOException e) {
      return "?";
    }
  }

  /** {@code node --version} / {@code redis-server --version}, first line; "?" when unreadable. */
  static String toolVersion(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      int nl = out.indexOf('\n');
      return nl < 0 ? out : out.substring(0, nl);
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  static String tail(String text) {
    String t = text.strip();
    return t.length() <= 600 ? t : "…" + t.substring(t.length() - 600);
  }
}
