package io.herald.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's view of a service: {@code /metrics} for Prometheus and the two health probes.
 * Liveness only says the process answers; readiness is the service's own condition (e.g. Streams
 * RUNNING), so an orchestrator does not route to or count an instance that cannot work.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * System property naming the address the port-only constructor binds; unset or blank means every
   * interface (a deployment's scraper reaches the pod's address). A launcher that embeds the
   * services, such as {@code herald up}, sets it to keep the endpoints on loopback.
   */
  public static final String BIND_ADDRESS_PROPERTY = "herald.admin.bind-address";

  /**
   * Listens on {@code port} at {@link #BIND_ADDRESS_PROPERTY}'s address, else on every interface.
   */
  public AdminServer(int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    this(address(System.getProperty(BIND_ADDRESS_PROPERTY), port), registry, ready);
  }

  static InetSocketAddress address(String bindAddress, int port) {
    return bindAddress == null || bindAddress.isBlank()
        ? new InetSocketAddress(port)
        : new InetSocketAddress(bindAddress.trim(), port);
  }

  public AdminServer(
      InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    this.registry = registry;
    this.ready = ready;
    try {
      this.server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot listen on port "
              + address.getPort()
              + " for /metrics and /health: "
              + e.getMessage()
              + " (choose another port in the service's *_METRICS_PORT)",
          e);
    }
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "herald-admin-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", this::metrics);
    server.createContext("/health/live", ex -> respond(ex, 200, "UP\n"));
    server.createContext(
        "/health/ready",
        ex -> {
          boolean ok;
          try {
            ok = ready.getAsBoolean();
          } catch (RuntimeException e) {
            ok = false;
          }
          respond(ex, ok ? 200 : 503, ok ? "READY\n" : "NOT_READY\n");
        });
  }

  public AdminServer start() {
    server.start();
    log.info(
        "Admin endpoints listening: address={} port={} paths=/metrics,/health/live,/health/ready",
        server.getAddress().getAddress().getHostAddress(),
        port());
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The address and port it listens on. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void metrics(HttpExchange ex) throws IOException {
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    send(ex, 200, body);
  }

  private static void respond(HttpExchange ex, int status, String text) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(ex, status, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    try (ex) {
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
