package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's quick start ({@code herald up --demo}) in a bounded form and checks what a
 * newcomer should see: the demo broadcast fully sent within 2 minutes, the recurring message fired
 * twice, every demo message delivered exactly once.
 */
class QuickStartIT {

  private static final Pattern SENT =
      Pattern.compile(
          "^herald_sender_deliveries_total\\{[^}]*result=\"sent\"[^}]*\\} ([0-9.E]+)$",
          Pattern.MULTILINE);

  @TempDir Path dataDir;

  @Test
  void shouldDeliverTheDemoExactlyOnceWhenUpRunsForAWhile() throws Exception {
    int pgPort = UpProcess.freePort();
    int kafkaPort = UpProcess.freePortPair();
    int senderPort = UpProcess.freePort();
    Map<String, String> env =
        Map.of(
            "HERALD_PG_PORT",
            Integer.toString(pgPort),
            "HERALD_KAFKA_PORT",
            Integer.toString(kafkaPort),
            "HERALD_SCHEDULER_METRICS_PORT",
            "0",
            "HERALD_SENDER_METRICS_PORT",
            Integer.toString(senderPort),
            "HERALD_WEBHOOK_PORT",
            "0",
            "HERALD_WEBHOOK_METRICS_PORT",
            "0",
            "HERALD_CONSOLE_PORT",
            "0",
            "HERALD_CONSOLE_METRICS_PORT",
            "0");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Instant started = Instant.now();
    CompletableFuture<Integer> up =
        CompletableFuture.supplyAsync(
            () ->
                UpCommand.run(
                    List.of(
                        "--demo",
                        "--reset",
                        "--exit-after",
                        "150s",
                        "--data-dir",
                        dataDir.toString()),
                    env,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));

    String url = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
    await("the demo broadcast completed")
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofSeconds(2))
        // up ending early is the failure, and what it printed is why
        .failFast("herald up ended before the demo completed", () -> ended(up, out, err))
        .ignoreExceptions()
        .until(() -> "completed".equals(broadcastStatus(url, DemoData.BROADCAST_NOW.toString())));
    assertThat(Duration.between(started, Instant.now()))
        .isLessThan(Duration.ofMinutes(2).plusSeconds(30));

    // While the stack still runs: the ledger holds exactly the ids the demo implies.
    Set<String> broadcastIds = commandIds(url, "broadcast", DemoData.BROADCAST_NOW.toString());
    Instant occurrence = createdAt(url, DemoData.BROADCAST_NOW.toString());
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < DemoData.CONTACTS; i++) {
      expected.add(
          CommandId.of(
                  "broadcast:" + DemoData.BROADCAST_NOW,
                  occurrence,
                  String.format("00000000-0000-4000-8000-%012d", 1000 + i))
              .value());
    }
    assertThat(broadcastIds).isEqualTo(expected);

    await("the recurring message fired twice")
        .atMost(Duration.ofSeconds(160))
        .pollInterval(Duration.ofSeconds(2))
        .ignoreExceptions()
        .until(() -> executionCount(url, DemoData.RECURRING.toString()) >= 2);
    // Between two sends of a lane the ledger and the sender's own count of transport calls
    // agree; a duplicate call would leave the counter above the rows for good.
    await("transport calls equal sent rows")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () ->
                sentCounter(senderPort)
                    == count(url, "SELECT count(*) FROM deliveries WHERE status = 'sent'"));
    assertThat(count(url, "SELECT count(*) FROM deliveries WHERE status NOT IN ('sent','claimed')"))
        .as("failed, unknown, skipped or expired deliveries")
        .isZero();
    assertThat(
            count(
                url,
                "SELECT count(*) FROM recurring_message_logs WHERE recurring_message_id = '"
                    + DemoData.RECURRING
                    + "'"))
        .isGreaterThanOrEqualTo(2);

    int code = up.get(200, TimeUnit.SECONDS);
    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Kafka broker ready")
        // herald status abbreviates names to 20 characters
        .contains("Launch announcement")
        .contains(DemoData.BROADCAST_NOW.toString())
        .contains("── final ──")
        // the console's URL and where its token is, never the token
        .containsPattern("console: http://127\\.0\\.0\\.1:\\d+/  \\(token in .*console-tokens\\)")
        .doesNotContain(
            Files.readString(dataDir.resolve(LocalConsole.TOKENS_FILE_NAME))
                .lines()
                .filter(l -> l.startsWith("operator:"))
                .findFirst()
                .orElseThrow()
                .substring("operator:*:".length()));
  }

  private static String broadcastStatus(String url, String id) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        PreparedStatement ps =
            c.prepareStatement("SELECT status FROM broadcasts WHERE id = ?::uuid")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static Instant createdAt(String url, String id) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        PreparedStatement ps =
            c.prepareStatement("SELECT created_at FROM broadcasts WHERE id = ?::uuid")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getTimestamp(1).toInstant();
      }
    }
  }

  private static long executionCount(String url, String id) throws SQLException {
    return count(url, "SELECT execution_count FROM recurring_messages WHERE id = '" + id + "'");
  }

  private static Set<String> commandIds(String url, String kind, String id) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT command_id FROM deliveries WHERE schedule_kind = ? AND schedule_id = ?::uuid"
                    + " AND status = 'sent'")) {
      ps.setString(1, kind);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double sentCounter(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    double total = 0;
    Matcher m = SENT.matcher(r.body());
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  private static boolean ended(
      CompletableFuture<Integer> up, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    if (!up.isDone()) {
      return false;
    }
    System.out.printf(
        "herald up ended: %s%n--- its output ---%n%s%n--- its errors ---%n%s%n",
        up.handle((rc, e) -> e == null ? "exit " + rc : e.toString()).join(),
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
    return true;
  }
}
