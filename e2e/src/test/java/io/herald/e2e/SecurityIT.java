package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Tenant isolation on both layers (the scheduler's check of a directly produced schedule, the
 * sender's check of a directly produced command against the {@code devices} table), and the scan of
 * everything the suite's services emitted: no transport token in logs, metrics or any topic; no
 * phone number or message text in logs (INFO and above) or metrics. Runs last (alphabetical order)
 * so that the scan covers every test of the run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {

  private final Pipeline pipeline = Pipeline.shared();

  @Test
  @Order(1)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void scheduleCanOnlySendThroughItsOwnTenantsDevice() {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device own = w.device();
    Workload victim = new Workload(pipeline);
    Workload.Device theirs = victim.device();
    // Layer 1: a schedule naming another tenant's device, produced directly.
    Workload.Planned attack = w.broadcastAt(theirs, w.phones(3), Workload.in(2));
    w.planned.remove(attack);
    pipeline.produceChange(attack.change());
    // Layer 2: a send-command produced directly (bypassing the scheduler) for the same device.
    String key = "broadcast:" + UUID.randomUUID();
    Instant occ = Instant.now();
    String to = w.phones(1).get(0);
    SendCommand forged =
        new SendCommand(
            SendCommand.SCHEMA_VERSION,
            CommandId.of(key, occ, to),
            w.tenant,
            theirs.id(),
            key,
            ScheduleKind.BROADCAST,
            occ,
            to,
            RecipientType.INDIVIDUAL,
            null,
            "forged " + w.textMarker,
            null,
            PacingSpec.none(),
            1,
            null);
    pipeline.produceRaw(
        Topics.SEND_COMMANDS.name(),
        theirs.id(),
        Topics.SEND_COMMANDS
            .valueSerde()
            .serializer()
            .serialize(Topics.SEND_COMMANDS.name(), forged));
    // And a legitimate schedule alongside.
    w.broadcastAt(own, w.phones(3), Workload.in(2));
    long t0 = System.nanoTime();
    w.produceAll();

    await("foreign_device error for the schedule")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                pipeline.readAll(Topics.SCHEDULE_ERRORS.name()).stream()
                    .filter(r -> attack.key().equals(r.key()))
                    .map(
                        r ->
                            Topics.SCHEDULE_ERRORS
                                .valueSerde()
                                .deserializer()
                                .deserialize(r.topic(), r.value()))
                    .map(ScheduleError::reason)
                    .anyMatch(ErrorReason.FOREIGN_DEVICE::equals));
    await("the forged command is refused by the sender")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> ledger(forged.commandId().value()).isPresent());
    assertThat(ledger(forged.commandId().value()).orElseThrow())
        .isEqualTo("failed/tenant_mismatch");
    Verdict v =
        Verdict.settleAndMeasure(
            "tenant isolation: own device alongside", 1, w, Duration.ofSeconds(60), t0);
    E2e.assertClean(v, 0);
    assertThat(
            pipeline.fake.requests().stream()
                .filter(r -> theirs.phoneNumberId().equals(r.phoneNumberId())))
        .as("nothing ever went out through the other tenant's device")
        .isEmpty();
  }

  /**
   * The same through database rows (CDC): a recurring message and a broadcast of tenant A naming
   * tenant B's device are rejected with {@code foreign_device}, shown on the rows (status and
   * last_error), and nothing goes out through B's device; A's own rows alongside fire.
   */
  @Test
  @Order(1)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void rowNamingAnotherTenantsDeviceIsRejectedOnTheRow() throws Exception {
    pipeline.ensureRunning();
    Workload w = new Workload(pipeline);
    Workload.Device own = w.device();
    Workload victim = new Workload(pipeline);
    Workload.Device theirs = victim.device();
    long t0 = System.nanoTime();
    Workload.Planned recurringAttack = w.recurringRow(theirs, w.phones(3), Workload.in(4));
    Workload.Planned broadcastAttack = w.broadcastRow(theirs, w.phones(3), Workload.in(4));
    w.planned.remove(recurringAttack);
    w.planned.remove(broadcastAttack);
    w.recurringRow(own, w.phones(3), Workload.in(4));
    w.broadcastRow(own, w.phones(3), Workload.in(4));
    String recurringId = recurringAttack.key().substring("recurring:".length());
    String broadcastId = broadcastAttack.key().substring("broadcast:".length());
    String[] shown = new String[2];
    await("the foreign-device rows show their rejection")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              shown[0] = rowState("recurring_messages", recurringId);
              shown[1] = rowState("broadcasts", broadcastId);
              return shown[0].startsWith("invalid|")
                  && shown[1].startsWith("failed|")
                  && shown[0].length() > "invalid|".length()
                  && shown[1].length() > "failed|".length();
            });
    assertThat(shown[0]).as("recurring row").contains("does not belong to tenant");
    assertThat(shown[1]).as("broadcast row").contains("does not belong to tenant");
    Verdict v =
        Verdict.settleAndMeasure(
            "tenant isolation (rows): own rows alongside", 1, w, Duration.ofSeconds(60), t0);
    E2e.assertClean(v, 0);
    assertThat(v.sent()).isEqualTo(6);
    assertThat(
            pipeline.fake.requests().stream()
                .filter(r -> theirs.phoneNumberId().equals(r.phoneNumberId())))
        .as("nothing ever went out through the other tenant's device")
        .isEmpty();
    BadInputReport.write(
        "tenant-rows",
        "| recurring row, other tenant's device | foreign_device | "
            + shown[0]
            + " |\n| broadcast row, other tenant's device | foreign_device | "
            + shown[1]
            + " |\n");
  }

  /** {@code status|last_error} of a row. */
  String rowState(String table, String id) {
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT status, last_error FROM " + table + " WHERE id = ?::uuid")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? rs.getString(1) + "|" + (rs.getString(2) == null ? "" : rs.getString(2))
            : "";
      }
    } catch (Exception e) {
      return "";
    }
  }

  private Optional<String> ledger(String commandId) {
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT status, error_code FROM deliveries WHERE command_id = ?")) {
      ps.setString(1, commandId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1) + "/" + rs.getString(2)) : Optional.empty();
      }
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  @Test
  @Order(2)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void noTokenPhoneNumberOrMessageTextInLogsMetricsOrTopics() throws IOException {
    pipeline.ensureRunning();
    // Make sure this run has sent something, with variables and media, whatever ran before.
    Workload w = new Workload(pipeline);
    Workload.Device d = w.device();
    w.broadcastAt(d, w.phones(20), Workload.in(2));
    w.recurringOnceAt(d, w.phones(5), Workload.in(3));
    long t0 = System.nanoTime();
    w.produceAll();
    E2e.assertClean(
        Verdict.settleAndMeasure("security scan workload", 1, w, Duration.ofSeconds(120), t0), 0);

    String token = pipeline.token;
    List<Pattern> personal = new ArrayList<>();
    for (Workload any : Workload.ALL) {
      // The number with or without '+', and the marker every message text carries.
      personal.add(Pattern.compile(Pattern.quote(any.phonePrefix.substring(1))));
      personal.add(Pattern.compile(Pattern.quote(any.textMarker)));
    }

    // Logs (INFO and above: the services log at INFO, see logback-test.xml).
    List<String> findings = new ArrayList<>();
    List<Path> logs;
    try (Stream<Path> files = Files.list(ServiceProcess.LOG_DIR)) {
      logs = files.toList();
    }
    assertThat(logs).as("service logs to scan").isNotEmpty();
    for (Path log : logs) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.contains(token)) {
          findings.add(log.getFileName() + ":" + (i + 1) + " token");
        }
        for (Pattern p : personal) {
          if (p.matcher(line).find()) {
            findings.add(
                log.getFileName()
                    + ":"
                    + (i + 1)
                    + " personal data: "
                    + line.substring(0, Math.min(200, line.length())));
          }
        }
      }
    }
    // Metrics of every live service.
    for (ServiceProcess p : pipeline.everyProcess()) {
      if (!p.isAlive()) {
        continue;
      }
      String metrics = p.scrapeMetrics();
      assertThat(metrics).as("metrics of " + p.name()).isNotEmpty();
      if (metrics.contains(token)) {
        findings.add("metrics of " + p.name() + ": token");
      }
      for (Pattern pat : personal) {
        if (pat.matcher(metrics).find()) {
          findings.add("metrics of " + p.name() + ": personal data " + pat);
        }
      }
    }
    // Every topic (values, keys and headers): the token must be nowhere.
    byte[] tokenBytes = token.getBytes(StandardCharsets.UTF_8);
    Set<String> topics;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.bootstrap))) {
      topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    int scanned = 0;
    for (String topic : topics) {
      for (ConsumerRecord<String, byte[]> r : pipeline.readAll(topic)) {
        scanned++;
        if (contains(r.value(), tokenBytes) || (r.key() != null && r.key().contains(token))) {
          findings.add("topic " + topic + " offset " + r.offset() + ": token");
        }
        for (Header h : r.headers()) {
          if (contains(h.value(), tokenBytes)) {
            findings.add("topic " + topic + " header " + h.key() + ": token");
          }
        }
      }
    }
    assertThat(scanned).as("records scanned").isPositive();
    assertThat(findings).as("secrets or personal data found").isEmpty();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    if (haystack == null || haystack.length < needle.length) {
      return false;
    }
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
