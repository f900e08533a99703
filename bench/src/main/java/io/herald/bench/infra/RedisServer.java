package io.herald.bench.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private {@code redis-server} for the BullMQ peer: loopback only, a free port, a temporary
 * directory, and the append-only file on with {@code everysec} fsync, as a production queue would
 * run (a queue that loses its last second of jobs on a crash is the accepted trade of that
 * setting). Started and stopped by its own process handle, never by name; the directory is deleted
 * on {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisServer.class);

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts {@code redis-server} from PATH and waits until it answers PING. */
  public static RedisServer start() {
    Path dir = null;
    Process p = null;
    try {
      dir = Files.createTempDirectory("herald-bench-redis-");
      int port = freePort();
      p =
          new ProcessBuilder(
                  List.of(
                      "redis-server",
                      "--bind",
                      "127.0.0.1",
                      "--port",
                      Integer.toString(port),
                      "--dir",
                      dir.toString(),
                      "--appendonly",
                      "yes",
                      "--appendfsync",
                      "everysec",
                      "--daemonize",
                      "no",
                      "--logfile",
                      dir.resolve("redis.log").toString()))
              .redirectOutput(dir.resolve("redis.out").toFile())
              .redirectErrorStream(true)
              .start();
      RedisServer server = new RedisServer(p, port, dir);
      server.awaitPing();
      log.info("redis-server started: pid={} port={} dir={}", p.pid(), port, dir);
      return server;
    } catch (IOException | RuntimeException e) {
      if (p != null) {
        p.destroyForcibly();
      }
      deleteQuietly(dir);
      throw new IllegalStateException("redis-server did not start: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Empties every key: a fresh queue for the next row, as the peers' tables are recreated. */
  public void flushAll() {
    String reply = command("FLUSHALL");
    if (!reply.equals("+OK")) {
      throw new IllegalStateException("FLUSHALL answered " + reply);
    }
  }

  /**
   * One command in RESP, its one-line reply ({@code +OK}, {@code :1}, {@code -ERR ...}): all the
   * bench needs, so no Redis client library joins the bench's dependencies.
   */
  public String command(String... args) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000);
      StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        byte[] b = a.getBytes(StandardCharsets.UTF_8);
        req.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
      }
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed without a reply");
      }
      return line;
    } catch (IOException e) {
      throw new UncheckedIOException("redis " + args[0] + " on port " + port, e);
    }
  }

  private void awaitPing() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        if (command("PING").equals("+PONG")) {
          return;
        }
      } catch (UncheckedIOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("no PONG within " + START_TIMEOUT + ": " + logTail(), e);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("redis.log"));
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** SIGTERM (redis-server then fsyncs the AOF and exits), then the directory goes. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        log.warn("redis-server did not stop on SIGTERM, killing: pid={}", process.pid());
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    deleteQuietly(dir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              f -> {
                try {
                  Files.deleteIfExists(f);
                } catch (IOException e) {
                  log.debug("could not delete {}", f, e);
                }
              });
    } catch (IOException e) {
      log.debug("could not delete {}", dir, e);
    }
  }
}
