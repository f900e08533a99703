package io.herald.scheduler.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.serde.Json;
import io.herald.scheduler.cdc.ColumnMapping;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.Recipients;
import io.herald.scheduler.schedule.ScheduleValidator;
import io.herald.scheduler.topology.ContactsUpdater;
import io.herald.scheduler.topology.RecipientResolver;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code preview --id X --dry-run}: the next occurrence of a stored definition as it would go out.
 * Reads PostgreSQL only (a read-only connection), never Kafka, never writes. The definition goes
 * through the scheduler's own validator, recipient resolver and renderer; the sender's window
 * choice, admission and pacing are repeated in {@link DryRunPlanner} and {@link
 * CompletionEstimator}.
 */
final class DryRunCommand {

  /** Default and bound of {@code --limit}: lines of sends and of skips printed. */
  static final int DEFAULT_LIMIT = 5;

  static final int MAX_LIMIT = 100;

  private DryRunCommand() {}

  static int run(
      PreviewOptions options,
      JdbcRuleReader rules,
      String url,
      Map<String, String> env,
      PrintStream out,
      Clock clock)
      throws UsageException, SQLException {
    Instant now = clock.instant();
    StoredRule stored =
        rules
            .find(options.id())
            .orElseThrow(
                () ->
                    new UsageException(
                        "no schedule with id "
                            + options.id()
                            + " in recurring_messages, auto_post_schedules or broadcasts"));
    ObjectMapper json = Json.mapper();
    JdbcDryRunReader reader = new JdbcDryRunReader(json);
    try (Connection c =
        DriverManager.getConnection(
            url, env.get("HERALD_JDBC_USER"), env.get("HERALD_JDBC_PASSWORD"))) {
      c.setReadOnly(true);
      JdbcDryRunReader.Row row = reader.definition(c, stored.table(), options.id());
      Definition def = definition(stored, row, options.id().toString(), seedCompat(env), json);
      JdbcDryRunReader.DeviceRow device = reader.device(c, row.deviceId());
      DeviceInfo info =
          device == null
              ? null
              : new DeviceInfo(
                  DeviceInfo.SCHEMA_VERSION,
                  device.id(),
                  device.tenantId(),
                  device.transport(),
                  device.status(),
                  device.maxPerSecond(),
                  false);
      ScheduleValidator.Result checked =
          new ScheduleValidator(maxRecipients(env))
              .validate(def, ScheduleValidator.checkDevice(def.tenantId(), info), now);
      String title = "Dry run:    " + stored.table() + " " + options.id();
      if (!checked.problems().isEmpty()) {
        out.println(title);
        out.println("Invalid:    the scheduler rejects this definition; nothing would go out:");
        for (ScheduleValidator.Problem p : checked.problems()) {
          out.println("  " + p.reason().wire() + ": " + p.message());
        }
        return PreviewCommand.INVALID;
      }
      Instant after = options.after() != null ? options.after() : now;
      List<Instant> next = checked.compiled().upcoming(after, stored.executionCount(), 1);
      if (next.isEmpty()) {
        out.println(title);
        out.println("Occurrence: none: the schedule has ended (end date or max executions)");
        return PreviewCommand.OK;
      }
      Instant occurrence = next.get(0);
      ZoneId zone = checked.compiled().zone();
      List<String> canonical = checked.canonicalRecipients();
      RecipientResolver resolver =
          resolver(reader.contacts(c, def.tenantId(), contactIds(canonical)));
      Instant at = occurrence.isAfter(now) ? occurrence : now;
      boolean templates = device != null && "whatsapp_cloud".equals(lower(device.transport()));
      Integer limit = templates ? device.messagingLimit() : null;
      Set<String> counted = limit == null ? Set.of() : reader.limitCounted(c, device.id(), now);
      DryRunPlanner.DeviceFacts facts =
          new DryRunPlanner.DeviceFacts(
              templates,
              device == null ? Map.of() : reader.windows(c, device.id()),
              at,
              limit,
              counted.size(),
              counted);
      List<DryRunPlanner.Line> lines =
          DryRunPlanner.plan(
              def,
              canonical,
              zone,
              occurrence,
              resolver,
              facts,
              reader.policies(c, stored.table(), options.id(), def.tenantId(), now));
      Map<String, Long> backlog = device == null ? Map.of() : reader.backlog(c, device.id());
      CompletionEstimator.Estimate estimate = null;
      if (DryRunReport.active(device)) {
        long sends = lines.stream().filter(l -> l.skipReason() == null && !l.deferred()).count();
        estimate =
            CompletionEstimator.estimate(
                def.pacing(),
                device.maxPerSecond() != null ? device.maxPerSecond() : defaultRate(device),
                backlog.values().stream().mapToLong(Long::longValue).sum(),
                sends,
                occurrence,
                now);
      }
      DryRunReport.lines(
              new DryRunReport.Input(
                  stored.table(),
                  options.id().toString(),
                  def.active(),
                  occurrence,
                  zone,
                  row.deviceId(),
                  device,
                  lines,
                  options.limit(),
                  limit,
                  counted.size(),
                  backlog,
                  estimate))
          .forEach(out::println);
      return PreviewCommand.OK;
    }
  }

  /** The row as CDC would map it (ScheduleRows), with the rule the preview already read. */
  private static Definition definition(
      StoredRule stored,
      JdbcDryRunReader.Row row,
      String id,
      boolean seedCompat,
      ObjectMapper json) {
    ScheduleKind kind =
        switch (stored.table()) {
          case "auto_post_schedules" -> ScheduleKind.AUTOPOST;
          case "broadcasts" -> ScheduleKind.BROADCAST;
          default -> ScheduleKind.RECURRING;
        };
    List<String> errors = new ArrayList<>(row.errors());
    MessageTemplate template = ColumnMapping.template(json, row.templateColumns(), errors);
    WindowPolicy policy = ColumnMapping.windowPolicy(row.templateColumns(), errors);
    boolean active =
        kind == ScheduleKind.BROADCAST
            ? "scheduled".equals(row.status())
                || "processing".equals(row.status())
                || (seedCompat && "draft".equals(row.status()) && row.scheduledAt() != null)
            : Boolean.TRUE.equals(row.isActive());
    return new Definition(
        kind.keyFor(id),
        kind,
        row.tenantId(),
        row.deviceId(),
        row.name(),
        row.message(),
        row.mediaUrl(),
        row.recipients(),
        stored.spec(),
        ColumnMapping.pacing(row.rawPacing(), seedCompat),
        active,
        row.status(),
        0L,
        stored.createdAt(),
        errors,
        template,
        policy);
  }

  /** The contacts store as the topology keeps it: by id, and by tenant and canonical number. */
  private static RecipientResolver resolver(List<ContactInfo> contacts) {
    Map<String, ContactInfo> byId = new HashMap<>();
    Map<String, ContactInfo> byPhone = new HashMap<>();
    for (ContactInfo c : contacts) {
      byId.put(ContactsUpdater.idKey(c.contactId()), c);
      if (c.tenantId() != null) {
        Recipients.canonicalPhone(c.phoneNumber())
            .ifPresent(p -> byPhone.put(ContactsUpdater.phoneKey(c.tenantId(), p), c));
      }
    }
    return new RecipientResolver(byPhone::get, byId::get);
  }

  private static Set<String> contactIds(List<String> canonical) {
    Set<String> ids = new HashSet<>();
    for (String r : canonical) {
      String s = Recipients.isDuplicateMark(r) ? Recipients.duplicated(r) : r;
      if (Recipients.isContactId(s)) {
        ids.add(s);
      }
    }
    return ids;
  }

  /** The sender's transports' own rates ({@code Transport.defaultMaxPerSecond}). */
  static Double defaultRate(JdbcDryRunReader.DeviceRow device) {
    switch (lower(device.transport())) {
      case "whatsapp_cloud":
        return 80.0;
      case "http_gateway":
        return 1.0;
      default:
        return null;
    }
  }

  private static boolean seedCompat(Map<String, String> env) {
    return !"false".equalsIgnoreCase(env.getOrDefault("HERALD_SEED_COMPAT", "true").trim());
  }

  private static int maxRecipients(Map<String, String> env) {
    try {
      return Integer.parseInt(env.getOrDefault("HERALD_SCHEDULER_MAX_RECIPIENTS", "50000").trim());
    } catch (NumberFormatException e) {
      return 50_000;
    }
  }

  private static String lower(String s) {
    return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
  }
}
