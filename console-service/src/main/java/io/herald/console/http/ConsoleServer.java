package io.herald.console.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.herald.console.auth.Sessions;
import io.herald.console.auth.TokensFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The console's listener: the JDK's HTTP server (as the admin endpoints), HTTPS with a required
 * client certificate when a TLS context is given. A small fixed pool: pages read a database and a
 * broker, and an admin port has few users.
 */
public final class ConsoleServer implements AutoCloseable {

  private static final int THREADS = 4;

  private final HttpServer server;
  private final ExecutorService pool;
  private final boolean https;

  private ConsoleServer(HttpServer server, ExecutorService pool, boolean https) {
    this.server = server;
    this.pool = pool;
    this.https = https;
  }

  /**
   * @param tls null for plain HTTP; otherwise HTTPS that requires a client certificate the
   *     context's trust store accepts
   */
  public static ConsoleServer start(
      InetSocketAddress address,
      SSLContext tls,
      TokensFile tokens,
      Sessions sessions,
      Pages pages) {
    HttpServer server;
    try {
      if (tls == null) {
        server = HttpServer.create(address, 0);
      } else {
        HttpsServer s = HttpsServer.create(address, 0);
        s.setHttpsConfigurator(
            new HttpsConfigurator(tls) {
              @Override
              public void configure(HttpsParameters params) {
                SSLParameters p = tls.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
              }
            });
        server = s;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen on " + address + ": " + e.getMessage(), e);
    }
    server.createContext("/", new ConsoleHandler(tokens, sessions, pages, tls != null));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "herald-console-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(pool);
    server.start();
    return new ConsoleServer(server, pool, tls != null);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:9404/}. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return (https ? "https" : "http") + "://" + host + ":" + a.getPort() + "/";
  }

  @Override
  public void close() {
    server.stop(1);
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
