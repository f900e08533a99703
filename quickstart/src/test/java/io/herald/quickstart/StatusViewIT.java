package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald status} against a real PostgreSQL with Herald's migrations, its rows written here
 * as Herald's services would have written them: what the overview and {@code --id} show, that they
 * add up, and that no recipient number or message text is printed.
 */
class StatusViewIT {

  private static final String RECURRING = "11111111-1111-4111-8111-111111111111";
  private static final String DONE_BROADCAST = "22222222-2222-4222-8222-222222222222";
  private static final String LATER_BROADCAST = "33333333-3333-4333-8333-333333333333";
  private static final String AUTOPOST = "44444444-4444-4444-8444-444444444444";
  private static final String DEVICE = "55555555-5555-4555-8555-555555555555";
  private static final String PHONE = "+1555000";
  private static final String TEXT = "SECRET-MESSAGE-TEXT";

  @TempDir static Path dataDir;

  private static LocalPostgres pg;
  private static Map<String, String> env;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void startPostgresWithRows() throws IOException, SQLException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    pg = LocalPostgres.embedded(dataDir, port);
    env =
        Map.of(
            "HERALD_JDBC_URL", pg.jdbcUrl(),
            "HERALD_JDBC_USER", pg.user(),
            "HERALD_JDBC_PASSWORD", pg.password());
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO devices (id, user_id, name, phone_number, status, paused_reason) VALUES ('"
              + DEVICE
              + "', gen_random_uuid(), 'front-desk', '"
              + PHONE
              + "9999', 'paused', 'spam limit 131048')");
      // Two occurrences: the older closed (3 sent, 1 opted out), the newer still open (one of
      // each outcome, 2 skipped, 1 in flight).
      st.execute(
          "INSERT INTO recurring_messages (id, name, message, target_contacts, status,"
              + " next_send_at, execution_count, total_sent, total_failed, total_skipped) VALUES ('"
              + RECURRING
              + "', 'weekly-digest', '"
              + TEXT
              + "', '[\""
              + PHONE
              + "0001\"]', 'active', '2099-01-01T09:00:00Z', 2, 4, 3, 3)");
      st.execute(
          "INSERT INTO recurring_message_logs (recurring_message_id, occurrence_at, execution_time,"
              + " recipient_count, sent_to_count, failed_count, unknown_count, expired_count,"
              + " skipped_count, skipped_reasons, status, completed_at, delivered_count, read_count)"
              + " VALUES ('"
              + RECURRING
              + "', '2024-05-01T09:00:00Z', '2024-05-01T09:00:02Z', 4, 3, 0, 0,"
              + " 0, 1, '{\"opted_out\": 1}', 'completed', '2024-05-01T09:01:00Z', 3, 2),"
              + " ('"
              + RECURRING
              + "', '2024-05-08T09:00:00Z', '2024-05-08T09:00:03Z', 7, 1, 1, 1,"
              + " 1, 2, '{\"opted_out\": 1, \"not_tenant_contact\": 1}', 'processing', NULL, 1,"
              + " 0)");
      ledger(st, "recurring", RECURRING, "2024-05-01T09:00:00Z", "sent", null, 3);
      ledger(st, "recurring", RECURRING, "2024-05-01T09:00:00Z", "skipped", "opted_out", 1);
      ledger(st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "sent", null, 1);
      ledger(st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "failed", null, 1);
      ledger(st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "unknown", null, 1);
      ledger(st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "expired", null, 1);
      ledger(st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "skipped", "opted_out", 1);
      ledger(
          st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "skipped", "not_tenant_contact", 1);
      ledger(st, "recurring", RECURRING, "2024-05-08T09:00:00Z", "claimed", null, 1);
      // A broadcast that fired and completed: 3 sent, 2 skipped.
      st.execute(
          "INSERT INTO broadcasts (id, name, message, status, scheduled_at, started_at,"
              + " completed_at, total_count, sent_count, failed_count, skipped_count,"
              + " skipped_reasons, delivered_count, read_count) VALUES ('"
              + DONE_BROADCAST
              + "', 'spring-sale', '"
              + TEXT
              + "', 'completed', '2024-04-01T12:00:00Z', '2024-04-01T12:00:01Z',"
              + " '2024-04-01T12:05:00Z', 5, 3, 0, 2,"
              + " '{\"opted_out\": 1, \"invalid_recipient\": 1}', 2, 1)");
      ledger(st, "broadcast", DONE_BROADCAST, "2024-04-01T12:00:00Z", "sent", null, 3);
      ledger(st, "broadcast", DONE_BROADCAST, "2024-04-01T12:00:00Z", "skipped", "opted_out", 1);
      ledger(
          st,
          "broadcast",
          DONE_BROADCAST,
          "2024-04-01T12:00:00Z",
          "skipped",
          "invalid_recipient",
          1);
      // A broadcast waiting for its time.
      st.execute(
          "INSERT INTO broadcasts (id, name, message, status, scheduled_at) VALUES ('"
              + LATER_BROADCAST
              + "', 'summer-sale', '"
              + TEXT
              + "', 'scheduled', '2099-06-01T08:00:00Z')");
      // An hourly auto-post with 53 occurrences of 2 groups each, all sent, and a long name.
      st.execute(
          "INSERT INTO auto_post_schedules (id, name, message, status, next_send_at,"
              + " execution_count, last_error) VALUES ('"
              + AUTOPOST
              + "', 'hourly-announcements-for-the-whole-company', '"
              + TEXT
              + "', 'active', '2099-01-01T00:00:00Z', 53, 'group\nnot reachable')");
      st.execute(
          "INSERT INTO auto_post_logs (auto_post_schedule_id, occurrence_at, execution_time,"
              + " recipient_count, sent_to_count, status, completed_at)"
              + " SELECT '"
              + AUTOPOST
              + "', t, t, 2, 2, 'completed', t + interval '1 minute' FROM generate_series("
              + "'2024-01-01T00:00:00Z'::timestamptz, '2024-01-03T04:00:00Z', interval '1 hour') t");
      st.execute(
          "INSERT INTO deliveries (command_id, schedule_kind, schedule_id, occurrence_at,"
              + " recipient, status, finished_at, device_id)"
              + " SELECT 'ap-' || t || '-' || g, 'autopost', '"
              + AUTOPOST
              + "', t, 'group-' || g, 'sent', t, '"
              + DEVICE
              + "' FROM generate_series('2024-01-01T00:00:00Z'::timestamptz,"
              + " '2024-01-03T04:00:00Z', interval '1 hour') t, generate_series(1, 2) g");
    }
  }

  /** {@code n} ledger rows of one outcome, each to another (fake) phone number. */
  private static void ledger(
      Statement st, String kind, String id, String occurrence, String status, String code, int n)
      throws SQLException {
    st.execute(
        "INSERT INTO deliveries (command_id, schedule_kind, schedule_id, occurrence_at, recipient,"
            + " status, error_code, error_message, finished_at) SELECT gen_random_uuid()::text, '"
            + kind
            + "', '"
            + id
            + "', '"
            + occurrence
            + "', '"
            + PHONE
            + "' || lpad(i::text, 4, '0'), '"
            + status
            + "', "
            + (code == null ? "NULL" : "'" + code + "'")
            + ", "
            + (code == null ? "NULL" : "'" + TEXT + " to " + PHONE + "'")
            + ", CASE WHEN '"
            + status
            + "' = 'claimed' THEN NULL ELSE now() END FROM generate_series(1, "
            + n
            + ") i");
  }

  @AfterAll
  static void stopPostgres() {
    if (pg != null) {
      pg.close();
    }
  }

  private int run(String... args) {
    return HeraldCli.run(
        List.of(args),
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String definitionsPart(String status) {
    int end = status.indexOf(System.lineSeparator() + System.lineSeparator());
    return end < 0 ? status : status.substring(0, end);
  }

  /** The overview line of one definition, split into its columns (names have no spaces here). */
  private String[] overviewLine(String id) {
    return out()
        .lines()
        .filter(l -> l.contains(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + id + " in\n" + out()))
        .split(" +");
  }

  @Test
  void shouldShowTheSameNumbersOnceTheLedgerRowsArePurged() throws SQLException {
    assertThat(run("status")).as(err()).isZero();
    // the definitions part (devices show in-flight work from the ledger, by design)
    String before = definitionsPart(out());
    out.reset();
    // what the sender's retention does to old deliveries (ADR 0019): the rows go, no number moves
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE deliveries_kept AS SELECT * FROM deliveries");
      st.execute("DELETE FROM deliveries");
      try {
        assertThat(run("status")).as(err()).isZero();
        assertThat(definitionsPart(out())).isEqualTo(before).contains("opted_out=");
      } finally {
        st.execute("INSERT INTO deliveries SELECT * FROM deliveries_kept");
        st.execute("DROP TABLE deliveries_kept");
      }
    }
  }

  @Test
  void shouldShowEveryDefinitionWithItsOutcomesAndSkipReasonsThenTheDevices() {
    assertThat(run("status")).as(err()).isZero();

    // kind id name status next-due fired recipients sent delivered read failed unknown expired
    // skipped pending
    assertThat(overviewLine(RECURRING))
        .containsExactly(
            "recurring",
            RECURRING,
            "weekly-digest",
            "active",
            "2099-01-01T09:00:00Z",
            "2",
            "11",
            "4",
            "4",
            "2",
            "1",
            "1",
            "1",
            "3",
            "1",
            "opted_out=2",
            "not_tenant_contact=1");
    // fired and finished: no next due, though scheduled_at is still on the row
    assertThat(overviewLine(DONE_BROADCAST))
        .containsExactly(
            "broadcast",
            DONE_BROADCAST,
            "spring-sale",
            "completed",
            "-",
            "1",
            "5",
            "3",
            "2",
            "1",
            "0",
            "0",
            "0",
            "2",
            "0",
            "invalid_recipient=1",
            "opted_out=1");
    assertThat(overviewLine(LATER_BROADCAST))
        .containsExactly(
            "broadcast",
            LATER_BROADCAST,
            "summer-sale",
            "scheduled",
            "2099-06-01T08:00:00Z",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "-");
    assertThat(overviewLine(AUTOPOST))
        .containsExactly(
            "autopost",
            AUTOPOST,
            "hourly-announcement…",
            "active",
            "2099-01-01T00:00:00Z",
            "53",
            "106",
            "106",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "-");
    // then the devices, as before
    assertThat(out()).contains(DEVICE).contains("front-desk").contains("spam limit 131048");
    assertThat(out()).doesNotContain(PHONE).doesNotContain(TEXT);
  }

  @Test
  void shouldShowOneRecurringMessageWithItsOccurrencesNewestFirstWhenAskedById() {
    assertThat(run("status", "--id", RECURRING)).as(err()).isZero();
    List<String> lines = out().lines().toList();

    assertThat(lines.get(0)).isEqualTo("recurring " + RECURRING + "  weekly-digest");
    assertThat(lines)
        .contains(
            "  status      active",
            "  next due    2099-01-01T09:00:00Z",
            "  fired       2",
            "  totals      recipients=11 sent=4 delivered=4 read=2 failed=1 unknown=1 expired=1 skipped=3 pending=1",
            "  skipped by  opted_out=2 not_tenant_contact=1");
    int header = lines.indexOf(StatusFormat.historyHeader());
    assertThat(header).isPositive();
    // occurrence, fired at, completed at, recipients, sent, delivered, read, failed, unknown,
    // expired, skipped, status, reasons
    assertThat(lines.get(header + 1).split(" +"))
        .containsExactly(
            "2024-05-08T09:00:00Z",
            "2024-05-08T09:00:03Z",
            "-",
            "7",
            "1",
            "1",
            "0",
            "1",
            "1",
            "1",
            "2",
            "processing",
            "not_tenant_contact=1",
            "opted_out=1");
    assertThat(lines.get(header + 2).split(" +"))
        .containsExactly(
            "2024-05-01T09:00:00Z",
            "2024-05-01T09:00:02Z",
            "2024-05-01T09:01:00Z",
            "4",
            "3",
            "3",
            "2",
            "0",
            "0",
            "0",
            "1",
            "completed",
            "opted_out=1");
    assertThat(lines).hasSize(header + 3);
    assertThat(out()).doesNotContain(PHONE).doesNotContain(TEXT).doesNotContain("last error");
  }

  @Test
  void shouldShowABroadcastsSingleOccurrenceFromItsRowWhenAskedById() {
    assertThat(run("status", "--id", DONE_BROADCAST)).as(err()).isZero();
    List<String> lines = out().lines().toList();

    assertThat(lines.get(0)).isEqualTo("broadcast " + DONE_BROADCAST + "  spring-sale");
    assertThat(lines)
        .contains(
            "  status      completed",
            "  next due    -",
            "  totals      recipients=5 sent=3 delivered=2 read=1 failed=0 unknown=0 expired=0 skipped=2 pending=0");
    int header = lines.indexOf(StatusFormat.historyHeader());
    assertThat(lines.subList(header + 1, lines.size()))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l.split(" +"))
                    .containsExactly(
                        "2024-04-01T12:00:00Z",
                        "2024-04-01T12:00:01Z",
                        "2024-04-01T12:05:00Z",
                        "5",
                        "3",
                        "2",
                        "1",
                        "0",
                        "0",
                        "0",
                        "2",
                        "completed",
                        "invalid_recipient=1",
                        "opted_out=1"));
  }

  @Test
  void shouldSayABroadcastNotFiredYetHasNoOccurrenceWhenAskedById() {
    assertThat(run("status", "--id", LATER_BROADCAST)).as(err()).isZero();
    assertThat(out())
        .contains("  next due    2099-06-01T08:00:00Z")
        .endsWith("no occurrence yet" + System.lineSeparator());
  }

  @Test
  void shouldListTheFiftyNewestOccurrencesAndCountTheOthersWhenAskedById() {
    assertThat(run("status", "--id", AUTOPOST.toUpperCase())).as(err()).isZero();
    List<String> lines = out().lines().toList();

    assertThat(lines.get(0))
        .isEqualTo("autopost " + AUTOPOST + "  hourly-announcements-for-the-whole-company");
    assertThat(lines).contains("  last error  group not reachable");
    int header = lines.indexOf(StatusFormat.historyHeader());
    List<String> history = lines.subList(header + 1, lines.size() - 1);
    assertThat(history).hasSize(StatusView.HISTORY_LIMIT);
    assertThat(history.get(0)).startsWith("2024-01-03T04:00:00Z");
    assertThat(history.get(49)).startsWith("2024-01-01T03:00:00Z");
    assertThat(lines).last().isEqualTo("… 3 older occurrences not shown");
  }

  @Test
  void shouldExit1WithOneLineWhenNoDefinitionHasTheId() {
    String unknown = "66666666-6666-4666-8666-666666666666";
    assertThat(run("status", "--id", unknown)).isEqualTo(1);
    assertThat(err()).isEqualTo("herald status: no definition with id " + unknown + "\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void shouldExit2WithoutReadingWhenTheIdIsMalformed() {
    assertThat(run("status", "--id", RECURRING.substring(1))).isEqualTo(2);
    assertThat(err().lines().findFirst().orElseThrow())
        .isEqualTo(
            "herald status: '" + RECURRING.substring(1) + "' is not a definition id (a UUID)");
    assertThat(out()).isEmpty();
  }
}
