package io.herald.webhook.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's own HTTP port (apart from the admin port, so only the webhook path is exposed to
 * the internet). A fixed pool of named threads handles requests: each waits at most the produce
 * timeout, so the pool bounds both concurrency and memory (threads times the body bound).
 */
public final class WebhookServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final HttpServer server;
  private final ExecutorService executor;
  private volatile boolean running;

  public WebhookServer(InetSocketAddress address, int threads, WebhookHandler handler) {
    try {
      this.server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot listen on "
              + address
              + " for "
              + WebhookHandler.PATH
              + ": "
              + e.getMessage()
              + " (choose another HERALD_WEBHOOK_PORT or HERALD_WEBHOOK_BIND)",
          e);
    }
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "herald-webhook-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", handler);
  }

  public WebhookServer start() {
    server.start();
    running = true;
    log.info(
        "Webhook endpoint listening: address={} port={} path={}",
        server.getAddress().getAddress().getHostAddress(),
        port(),
        WebhookHandler.PATH);
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public boolean running() {
    return running;
  }

  /** Stops accepting, lets requests in progress finish for up to a second, then drops them. */
  @Override
  public void close() {
    running = false;
    server.stop(1);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
