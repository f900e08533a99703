package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Starts both services for real, the way their images do ({@code main} in a JVM of its own, only
 * environment variables), against the harness's broker and PostgreSQL; checks the probes the
 * Kubernetes manifests use; scrapes both /metrics; and asserts that every metric each dashboard
 * query and each alert rule reads is exported, with the labels the query uses. A renamed metric, a
 * renamed label, or a meter that is no longer registered fails the build.
 *
 * <p>The names compared are Prometheus sample names as scraped: a Micrometer counter {@code
 * herald.x} appears as {@code herald_x_total}, a timer {@code herald.y} with a histogram as {@code
 * herald_y_seconds_bucket}/{@code _sum}/{@code _count}, a gauge under its own name. So a query
 * using {@code herald_x} for a counter fails too, as it would return nothing in Prometheus.
 */
class DashboardMetricsIT {

  /** Series Prometheus itself adds for every target. */
  private static final Set<String> SYNTHETIC =
      Set.of(
          "up",
          "scrape_duration_seconds",
          "scrape_samples_scraped",
          "scrape_samples_post_metric_relabeling",
          "scrape_series_added");

  /** Labels Prometheus attaches at scrape time, and the histogram bucket label. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "le", "__name__");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Map<ServiceEnv, Started> started = new LinkedHashMap<>();
  private static final Map<ServiceEnv, Map<String, Set<String>>> scrapes = new HashMap<>();

  record Started(Process process, int port, Path log) {}

  @BeforeAll
  static void startBothServices() throws Exception {
    KafkaTestBroker broker = KafkaTestBroker.shared();
    PostgresTestDatabase db = PostgresTestDatabase.shared();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Path work = Files.createDirectories(Path.of("target", "dashboard-it", run)).toAbsolutePath();

    Map<String, String> scheduler = new HashMap<>();
    scheduler.put("HERALD_SCHEDULER_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    scheduler.put("HERALD_SCHEDULER_APPLICATION_ID", "herald-scheduler-dash-" + run);
    scheduler.put("HERALD_SCHEDULER_STATE_DIR", work.resolve("state").toString());
    scheduler.put("HERALD_SCHEDULER_JDBC_URL", db.jdbcUrl());
    scheduler.put("HERALD_SCHEDULER_JDBC_USER", db.user());
    if (db.password() != null) {
      scheduler.put("HERALD_SCHEDULER_JDBC_PASSWORD", db.password());
    }
    scheduler.put("HERALD_SCHEDULER_CDC_SLOT", "herald_dash_" + run);
    scheduler.put("HERALD_SCHEDULER_PARTITIONS", "2");

    Map<String, String> sender = new HashMap<>();
    sender.put("HERALD_SENDER_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    sender.put("HERALD_SENDER_JDBC_URL", db.jdbcUrl());
    if (db.user() != null) {
      sender.put("HERALD_SENDER_JDBC_USER", db.user());
    }
    if (db.password() != null) {
      sender.put("HERALD_SENDER_JDBC_PASSWORD", db.password());
    }
    sender.put("HERALD_SENDER_GROUP_ID", "herald-sender-dash-" + run);
    sender.put("HERALD_SENDER_DEFAULT_TRANSPORT", "simulated");
    sender.put("HERALD_SENDER_JDBC_POOL_SIZE", "2");

    started.put(
        ServiceEnv.SCHEDULER,
        start(ServiceEnv.SCHEDULER, "io.herald.scheduler.app.SchedulerApp", scheduler, work));
    started.put(
        ServiceEnv.SENDER,
        start(ServiceEnv.SENDER, "io.herald.sender.app.SenderApp", sender, work));

    Map<String, String> webhook = new HashMap<>();
    webhook.put("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    webhook.put("HERALD_WEBHOOK_BIND", "127.0.0.1");
    webhook.put("HERALD_WEBHOOK_PORT", String.valueOf(freePort()));
    // stand-ins under the default names the receiver reads its two secrets from
    webhook.put("HERALD_TOKEN_WHATSAPP_APP_SECRET", "dash-" + run);
    webhook.put("HERALD_TOKEN_WHATSAPP_VERIFY_TOKEN", "dash-verify-" + run);
    started.put(
        ServiceEnv.WEBHOOK,
        start(ServiceEnv.WEBHOOK, "io.herald.webhook.app.WebhookApp", webhook, work));
  }

  private static Started start(ServiceEnv svc, String mainClass, Map<String, String> env, Path work)
      throws IOException {
    int port = freePort();
    env.put(svc.metricsPortVariable, String.valueOf(port));
    assertThat(svc.problems(env)).as(svc + " environment").isEmpty();
    Path log = work.resolve(svc.imageName + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_") || k.startsWith("KAFKA_"));
    pb.environment().putAll(env);
    return new Started(pb.start(), port, log);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (Started s : started.values()) {
      s.process().destroy(); // SIGTERM: the shutdown hook closes the service
    }
    for (Started s : started.values()) {
      if (!s.process().waitFor(40, TimeUnit.SECONDS)) {
        s.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void probesAnswerAndEveryQueriedMetricIsExported() throws Exception {
    for (Map.Entry<ServiceEnv, Started> e : started.entrySet()) {
      awaitReady(e.getKey(), e.getValue());
    }
    Map<String, String> queries = Queries.all();
    // Meters appear as the services get going (JVM GC pauses after the first collection): poll
    // the scrapes until nothing is missing, then report whatever still is.
    List<String> problems = List.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    do {
      for (Map.Entry<ServiceEnv, Started> e : started.entrySet()) {
        scrapes.put(e.getKey(), parse(get(e.getValue().port(), "/metrics").body()));
      }
      problems = problems(queries);
      if (problems.isEmpty()) {
        break;
      }
      Thread.sleep(2_000);
    } while (System.nanoTime() < deadline);
    assertThat(problems)
        .as("metrics the dashboard and alerts query, checked against live scrapes")
        .isEmpty();
  }

  private static List<String> problems(Map<String, String> queries) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> q : queries.entrySet()) {
      PromQl.Reads reads = PromQl.parse(q.getValue());
      Set<String> labelsOfExpression = new TreeSet<>();
      for (PromQl.Selector s : reads.selectors()) {
        if (SYNTHETIC.contains(s.metric())) {
          labelsOfExpression.addAll(TARGET_LABELS);
          continue;
        }
        for (ServiceEnv svc : exporters(s.metric())) {
          Set<String> labels = scrapes.get(svc).get(s.metric());
          if (labels == null) {
            problems.add(
                q.getKey()
                    + ": "
                    + s.metric()
                    + " is not exported by the "
                    + svc.imageName
                    + similar(svc, s.metric()));
            continue;
          }
          labelsOfExpression.addAll(labels);
          for (String l : s.labels()) {
            if (!labels.contains(l) && !TARGET_LABELS.contains(l)) {
              problems.add(
                  q.getKey() + ": " + s.metric() + " has no label " + l + " (has " + labels + ")");
            }
          }
        }
      }
      for (String l : reads.groupingLabels()) {
        if (!labelsOfExpression.contains(l) && !TARGET_LABELS.contains(l)) {
          problems.add(q.getKey() + ": groups by " + l + ", which none of its metrics has");
        }
      }
    }
    return problems;
  }

  /**
   * herald_scheduler_* must come from the scheduler, herald_sender_* from the sender,
   * herald_webhook_* from the webhook receiver, JVM from the scheduler and the sender.
   */
  private static List<ServiceEnv> exporters(String metric) {
    if (metric.startsWith("herald_scheduler_")) {
      return List.of(ServiceEnv.SCHEDULER);
    }
    if (metric.startsWith("herald_sender_")) {
      return List.of(ServiceEnv.SENDER);
    }
    if (metric.startsWith("herald_webhook_")) {
      return List.of(ServiceEnv.WEBHOOK);
    }
    return List.of(ServiceEnv.SCHEDULER, ServiceEnv.SENDER);
  }

  private static String similar(ServiceEnv svc, String metric) {
    String stem = metric.replaceAll("_(total|bucket|sum|count|seconds.*|bytes.*)$", "");
    String[] parts = stem.split("_");
    String head = parts.length > 3 ? String.join("_", parts[0], parts[1], parts[2]) : stem;
    Set<String> near = new TreeSet<>();
    for (String name : scrapes.get(svc).keySet()) {
      if (name.startsWith(stem) || name.startsWith(head)) {
        near.add(name);
      }
    }
    return near.isEmpty() ? "" : " (exported with a similar name: " + near + ")";
  }

  /** Sample name to the label names seen on it, from the Prometheus text format. */
  static Map<String, Set<String>> parse(String exposition) {
    Map<String, Set<String>> out = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
      String name = line.substring(0, end);
      Set<String> labels = out.computeIfAbsent(name, k -> new TreeSet<>());
      if (end == brace) {
        Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
    }
    return out;
  }

  private static void awaitReady(ServiceEnv svc, Started s) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    int live = -1;
    int ready = -1;
    while (System.nanoTime() < deadline) {
      if (!s.process().isAlive()) {
        throw new AssertionError(
            svc.imageName
                + " exited with "
                + s.process().exitValue()
                + "; its log ends:\n"
                + tail(s.log()));
      }
      try {
        live = get(s.port(), "/health/live").statusCode();
        ready = get(s.port(), "/health/ready").statusCode();
        if (live == 200 && ready == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // the admin server is not up yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        svc.imageName
            + " not ready within "
            + START_TIMEOUT
            + " (live="
            + live
            + ", ready="
            + ready
            + "); its log ends:\n"
            + tail(s.log()));
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
