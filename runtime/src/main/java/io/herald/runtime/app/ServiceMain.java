package io.herald.runtime.app;

import io.herald.runtime.config.ConfigException;
import java.io.PrintStream;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a service process starts and ends. An orchestrator reads the exit code: 2 is a configuration
 * the operator must fix (every problem is printed at once, before any thread starts), 1 a failure
 * to start or a fatal end that a restart may cure, 0 a service that ran and was stopped or that its
 * configuration switched off.
 */
public final class ServiceMain {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_CONFIG = 2;

  /** The JDK HTTP server's bound on reading one request, in seconds (unset: unbounded). */
  public static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

  private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

  private ServiceMain() {}

  /**
   * A client that trickles its request would otherwise hold one of the JDK HTTP server's handler
   * threads for as long as it likes; an explicit {@code -D} setting wins.
   */
  public static void boundHttpRequestTime() {
    if (System.getProperty(MAX_REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(MAX_REQUEST_TIME_PROPERTY, "30");
    }
  }

  /**
   * Reads the configuration, starts the service, registers its close as a shutdown hook and waits
   * for its end.
   *
   * @param service the name in messages, e.g. {@code "sender"}
   * @param config reads the configuration; a {@link ConfigException} is exit 2
   * @param start starts the service, or returns null when the configuration runs nothing
   * @param awaitEnd blocks until the service ends and returns its exit code
   * @return the exit code for {@code System.exit}
   */
  public static <C, A extends AutoCloseable> int run(
      String service, Supplier<C> config, Function<C, A> start, ToIntFunction<A> awaitEnd) {
    return run(service, config, start, awaitEnd, System.err, true);
  }

  /**
   * {@link #run(String, Supplier, Function, ToIntFunction)} as a {@code main} ends: a non-zero code
   * exits the JVM with it; zero returns, so a stopped service ends once its shutdown hook is done.
   */
  public static <C, A extends AutoCloseable> void runAndExit(
      String service, Supplier<C> config, Function<C, A> start, ToIntFunction<A> awaitEnd) {
    int code = run(service, config, start, awaitEnd);
    if (code != EXIT_OK) {
      System.exit(code);
    }
  }

  static <C, A extends AutoCloseable> int run(
      String service,
      Supplier<C> config,
      Function<C, A> start,
      ToIntFunction<A> awaitEnd,
      PrintStream err,
      boolean shutdownHook) {
    C read;
    try {
      read = config.get();
    } catch (ConfigException e) {
      err.println("Herald " + service + ": invalid configuration:");
      e.problems().forEach(p -> err.println("  - " + p));
      return EXIT_CONFIG;
    }
    A app;
    try {
      app = start.apply(read);
    } catch (RuntimeException e) {
      log.error("Herald {} failed to start", service, e);
      return EXIT_FAILED;
    }
    if (app == null) {
      return EXIT_OK;
    }
    if (shutdownHook) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> closeQuietly(service, app), "herald-shutdown"));
    }
    return awaitEnd.applyAsInt(app);
  }

  private static void closeQuietly(String service, AutoCloseable app) {
    try {
      app.close();
    } catch (Exception e) {
      log.warn("Herald {} did not close cleanly", service, e);
    }
  }
}
