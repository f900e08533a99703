package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.outcome.ScheduleState;
import io.herald.contracts.topic.Topics;
import io.herald.e2e.PoisonCase.Expect;
import io.herald.e2e.PoisonCase.Fed;
import io.herald.testsupport.FakeWhatsAppApi;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison-proof pipeline: no row or event of one tenant can stop or crash-loop the scheduler, CDC or
 * the projectors for the others. A healthy tenant B ({@link HealthyTenant}) has a recurring message
 * firing every minute; the {@link PoisonCatalogue} is fed one case at a time by tenant A, through
 * rows (CDC) and through records produced straight onto the input topics. After each case:
 *
 * <ul>
 *   <li>its own outcome ({@link PoisonCase.Expect}): the row {@code invalid} ({@code failed} for a
 *       broadcast) with a non-blank {@code last_error} of at most {@link
 *       Limits#ERROR_TEXT_MAX_CHARS}; or a {@code ScheduleError} for the key with a message within
 *       that bound; or a dead letter with its coordinates; ...
 *   <li>the scheduler and the sender alive with the PID they had before the catalogue (no exit, no
 *       restart) and {@code /health/ready} answering 200;
 *   <li>no {@code StackOverflowError} or {@code OutOfMemoryError} in their logs since the case was
 *       fed;
 *   <li>every minute of tenant B whose deadline has passed sent to each contact, on time, once.
 * </ul>
 *
 * <p>A case that leaves a service dead or not ready stops the catalogue (what follows could not be
 * judged); the remaining cases are reported as not run. The results table goes to the log and to
 * {@code target/poison-catalogue-results.md}; docs/RELIABILITY.md ("Poison catalogue") has its
 * shape and the last measured run.
 */
class PoisonCatalogueIT {

  private static final Logger log = LoggerFactory.getLogger(PoisonCatalogueIT.class);

  /** A row case: CDC, validation, the projector's write-back; the 9 MiB row needs the most. */
  static final Duration ROW_BUDGET = Duration.ofSeconds(30);

  static final Duration EVENT_BUDGET = Duration.ofSeconds(20);

  /** Readiness may take a moment to come back after a rebalance; a dead process fails at once. */
  static final Duration READY_BUDGET = Duration.ofSeconds(15);

  /** After this the remaining cases are reported as not run, so the test stays bounded. */
  static final Duration CATALOGUE_BUDGET = Duration.ofMinutes(5);

  /** A definition wrongly accepted has fired (or failed to) this long after its instant. */
  static final Duration AFTER_FIRE = Duration.ofSeconds(3);

  /**
   * Row statuses that only a definition the scheduler accepted can reach (not "active": a recurring
   * row holds it from its insert on).
   */
  static final java.util.Set<String> ACCEPTED_STATUSES =
      java.util.Set.of("finished", "processing", "completed");

  static final List<String> FATAL_IN_LOGS =
      List.of("StackOverflowError", "OutOfMemoryError", "Stream thread died");

  private final Pipeline pipeline = Pipeline.shared();

  /**
   * The case after which the CDC engine kept restarting: rows cannot be judged while CDC re-reads a
   * batch it cannot produce (they are reported as not run); events still can.
   */
  private String cdcLoopBy;

  /** What came of one case. */
  record Result(
      int number,
      PoisonCase poison,
      String outcome,
      Integer errorChars,
      Long millis,
      String services,
      String minutes,
      List<String> problems) {
    boolean passed() {
      return problems.isEmpty();
    }
  }

  @Test
  @Timeout(value = 9, unit = TimeUnit.MINUTES)
  void noPoisonOfOneTenantStopsAnotherTenantsMinute() {
    pipeline.ensureRunning();
    Map<ServiceProcess, Long> pids = new LinkedHashMap<>();
    pipeline.everyProcess().stream()
        .filter(ServiceProcess::isAlive)
        .forEach(p -> pids.put(p, p.pid()));

    HealthyTenant b = HealthyTenant.create(pipeline);
    PoisonCatalogue.Ctx ctx = PoisonCatalogue.Ctx.create(pipeline);
    List<Result> results = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    Instant firstMinute = null;
    Instant lastMinute = null;
    long t0 = System.nanoTime();
    try {
      firstMinute = b.awaitFirstMinute(Duration.ofSeconds(100));
      log.info("Healthy tenant's first minute sent: {}", firstMinute);
      Instant start = Instant.now();
      String stoppedBy = null;

      List<PoisonCase> catalogue = selected(PoisonCatalogue.cases());
      for (int i = 0; i < catalogue.size(); i++) {
        PoisonCase c = catalogue.get(i);
        if (cdcLoopBy != null && c.path() == PoisonCase.Path.ROW) {
          results.add(notRun(i + 1, c, "not run: CDC in a crash loop since #" + cdcLoopBy));
          continue;
        }
        if (stoppedBy != null) {
          results.add(notRun(i + 1, c, "not run: the catalogue stopped after #" + stoppedBy));
          continue;
        }
        if (Duration.between(start, Instant.now()).compareTo(CATALOGUE_BUDGET) > 0) {
          results.add(
              notRun(i + 1, c, "not run: catalogue budget of " + CATALOGUE_BUDGET + " spent"));
          continue;
        }
        Result r = runCase(i + 1, c, ctx, b, firstMinute, pids);
        log.info(
            "Poison #{} {} [{}]: {} -> {}",
            r.number(),
            c.label(),
            c.path(),
            r.outcome(),
            r.passed() ? "pass" : "FAIL " + r.problems());
        results.add(r);
        if (cdcLoopBy == null
            && r.problems().stream().anyMatch(p -> p.contains("cdc_restarts_total"))) {
          cdcLoopBy = Integer.toString(i + 1);
        }
        if (!r.services().equals("ready")) {
          String loop = recover(pids);
          if (loop != null) {
            stoppedBy = (i + 1) + " (" + loop + ")";
          }
        }
      }
      // The first minute after the catalogue must go out too: the scheduler still fires.
      lastMinute = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60);
      Instant deadline = lastMinute.plus(HealthyTenant.LATENESS);
      Instant last = lastMinute;
      try {
        await("the healthy tenant's minute after the catalogue")
            .atMost(Duration.between(Instant.now(), deadline).plusSeconds(1))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    b.contactIds.stream()
                        .allMatch(
                            cid ->
                                pipeline.fake.requests().stream()
                                    .anyMatch(
                                        r ->
                                            r.commandId()
                                                .filter(b.id(last, cid)::equals)
                                                .isPresent())));
      } catch (ConditionTimeoutException e) {
        // Reported by missedMinutes below, with the rest.
      }
      missed.addAll(b.missedMinutes(firstMinute, lastMinute, true));
    } finally {
      report(results, b, firstMinute, lastMinute, missed, (System.nanoTime() - t0) / 1_000_000);
      b.stop();
    }

    List<String> failures =
        results.stream()
            .filter(r -> !r.passed())
            .map(
                r ->
                    "#"
                        + r.number()
                        + " "
                        + r.poison().label()
                        + " ["
                        + r.poison().path()
                        + "]: "
                        + r.problems())
            .toList();
    assertThat(failures)
        .as("poison cases that failed (see target/poison-catalogue-results.md)")
        .isEmpty();
    assertThat(missed)
        .as(
            "healthy tenant's minutes missed, late or doubled between "
                + firstMinute
                + " and "
                + lastMinute)
        .isEmpty();
    assertThat(HealthyTenant.minutesIn(firstMinute, lastMinute))
        .as("minutes of the healthy tenant judged")
        .isPositive();
  }

  // ---------------------------------------------------------------------------------------------
  // one case

  private Result runCase(
      int number,
      PoisonCase c,
      PoisonCatalogue.Ctx ctx,
      HealthyTenant b,
      Instant firstMinute,
      Map<ServiceProcess, Long> pids) {
    Map<ServiceProcess, Long> logOffsets = logSizes(pids.keySet());
    Map<String, Double> restartsBefore = restartCounters(pids.keySet());
    Map<String, Map<TopicPartition, Long>> offsets = new HashMap<>();
    for (String topic : topicsFor(c)) {
      offsets.put(topic, pipeline.endOffsets(topic));
    }
    List<String> problems = new ArrayList<>();
    long fedAt = System.nanoTime();
    Fed fed;
    try {
      fed = c.feed().apply(ctx);
    } catch (PoisonCatalogue.RefusedByDatabase e) {
      // Cannot reach Herald this way; nothing of Herald's to judge.
      return new Result(
          number,
          c,
          "refused by PostgreSQL: " + firstLine(e.getMessage()),
          null,
          null,
          health(pids),
          "-",
          List.of());
    } catch (IllegalStateException e) {
      if (!String.valueOf(e.getMessage()).contains("RecordTooLargeException")) {
        throw e;
      }
      // The topic itself bounds it (max.message.bytes): it cannot reach Herald this way either.
      return new Result(
          number,
          c,
          "refused by the broker: " + firstLine(e.getMessage()),
          null,
          null,
          health(pids),
          "-",
          List.of());
    }
    Judged j =
        switch (c.expect()) {
          case INVALID -> judgeRow(fed);
          case ERROR, DEAD_LETTER, ERROR_OR_DEAD_LETTER -> judgeEvent(c.expect(), fed, offsets);
          case CARRIED -> judgeCarried(fed, offsets);
          case SENT_BOUNDED -> judgeSent(fed);
          case SURVIVES -> judgeSurvives(pids);
        };
    Long millis = j.ok ? (System.nanoTime() - fedAt) / 1_000_000 : null;
    if (!j.ok) {
      problems.add("expected " + c.expect() + ", got: " + j.outcome);
    }
    if (j.errorText != null) {
      if (j.errorText.isBlank()) {
        problems.add("error text is blank");
      }
      if (j.errorText.length() > Limits.ERROR_TEXT_MAX_CHARS) {
        problems.add(
            "error text has "
                + j.errorText.length()
                + " characters, bound "
                + Limits.ERROR_TEXT_MAX_CHARS);
      }
      if (c.mention() != null
          && !j.errorText.toLowerCase(java.util.Locale.ROOT).contains(c.mention())) {
        problems.add(
            "error text does not mention '" + c.mention() + "': " + firstLine(j.errorText));
      }
    }
    problems.addAll(j.extraProblems);
    String services = health(pids);
    if (!services.equals("ready")) {
      problems.add(services);
    }
    problems.addAll(fatalLogLines(logOffsets));
    // A CDC loop already charged to an earlier case (rows are skipped since) is not this one's.
    restartedInside(restartsBefore, restartCounters(pids.keySet())).stream()
        .filter(p -> cdcLoopBy == null || !p.contains("cdc_"))
        .forEach(problems::add);
    List<String> late = b.missedMinutes(firstMinute, Instant.now(), false);
    if (!late.isEmpty()) {
      problems.add("healthy tenant: " + late);
    }
    return new Result(
        number,
        c,
        j.outcome,
        j.errorText == null ? null : j.errorText.length(),
        millis,
        services,
        late.isEmpty() ? "on time" : late.size() + " missed",
        problems);
  }

  /**
   * {@code -Dherald.poison.cases=REGEX}: only the cases whose "PATH label" it finds (e.g. {@code
   * ^EVENT}, {@code cron}); all by default.
   */
  private static List<PoisonCase> selected(List<PoisonCase> all) {
    String filter = System.getProperty("herald.poison.cases", "").trim();
    if (filter.isEmpty()) {
      return all;
    }
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(filter);
    return all.stream().filter(c -> p.matcher(c.path() + " " + c.label()).find()).toList();
  }

  /**
   * What an orchestrator does after a case left a service dead or not ready: kill what is wedged,
   * start what exited, wait until ready. Returns null when everything is ready again and stays so
   * for a few seconds (the new PIDs become the reference), or why not: the poison, read again after
   * the restart, takes the service down again (a crash loop), and the catalogue stops.
   */
  private String recover(Map<ServiceProcess, Long> pids) {
    for (ServiceProcess p : pids.keySet()) {
      if (p.isAlive() && !ready(p)) {
        log.warn("{} alive but not ready: killing it as a liveness probe would", p.name());
        p.kill();
      }
    }
    try {
      List<String> restarted = pipeline.restartExited();
      log.warn("Restarted after a poison case: {}", restarted);
      await("restarted services stay ready")
          .during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> pids.keySet().stream().allMatch(p -> p.isAlive() && ready(p)));
    } catch (RuntimeException e) {
      return "crash loop: " + firstLine(e.getMessage());
    }
    pids.replaceAll((p, old) -> p.pid());
    return null;
  }

  private static Result notRun(int number, PoisonCase c, String why) {
    return new Result(number, c, "not run", null, null, "-", "-", List.of(why));
  }

  /** What a case's own outcome was: ok, a short description, the error text it showed. */
  private record Judged(boolean ok, String outcome, String errorText, List<String> extraProblems) {
    static Judged of(boolean ok, String outcome, String errorText) {
      return new Judged(ok, outcome, errorText, List.of());
    }
  }

  private static List<String> topicsFor(PoisonCase c) {
    return switch (c.expect()) {
      case ERROR, DEAD_LETTER, ERROR_OR_DEAD_LETTER ->
          List.of(
              Topics.SCHEDULE_ERRORS.name(),
              Topics.SCHEDULE_CHANGES.dlqName(),
              Topics.SCHEDULE_STATES.name());
      case CARRIED ->
          c.label().startsWith("device")
              ? List.of(Topics.DEVICES.name(), Topics.DEVICES.dlqName())
              : List.of(Topics.CONTACTS.name(), Topics.CONTACTS.dlqName());
      default -> List.of();
    };
  }

  /** The row shows invalid (broadcast: failed) with a last_error; stops early if accepted. */
  private Judged judgeRow(Fed fed) {
    String wanted = fed.table().equals("broadcasts") ? "failed" : "invalid";
    AtomicReference<String[]> state = new AtomicReference<>(new String[3]);
    try {
      await(fed.table() + " " + fed.id() + " " + wanted)
          .atMost(ROW_BUDGET)
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                String[] s = rowState(fed.table(), fed.id());
                state.set(s);
                if (wanted.equals(s[0]) && s[1] != null && !s[1].isBlank()) {
                  return true;
                }
                // Accepted (the scheduler wrote its state back, or the broadcast went out) and past
                // its instant: no verdict will come.
                boolean accepted = s[2] != null || ACCEPTED_STATUSES.contains(s[0]);
                return accepted && Instant.now().isAfter(fed.fireAt().plus(AFTER_FIRE));
              });
    } catch (ConditionTimeoutException e) {
      String[] s = state.get();
      return Judged.of(
          false,
          "no outcome in "
              + ROW_BUDGET.toSeconds()
              + " s (status "
              + s[0]
              + ", last_error "
              + (s[1] == null ? "null" : s[1].length() + " chars")
              + ")",
          s[1]);
    }
    String[] s = state.get();
    if (wanted.equals(s[0])) {
      return Judged.of(true, s[0], s[1]);
    }
    return Judged.of(false, "accepted (status " + s[0] + ")", s[1]);
  }

  /** {status, last_error, scheduler_state_at} of a row. */
  private String[] rowState(String table, String id) {
    try (Connection c = pipeline.db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT status, last_error,"
                    + " scheduler_state_at::text FROM "
                    + table
                    + " WHERE id = ?::uuid")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}
            : new String[3];
      }
    } catch (Exception e) {
      return new String[3];
    }
  }

  private static boolean keyMatches(ConsumerRecord<String, byte[]> r, String prefix) {
    return r.key() != null && r.key().startsWith(prefix);
  }

  /** A schedule error or a dead letter for the key, whichever the case expects. */
  private Judged judgeEvent(Expect expect, Fed fed, Map<String, Map<TopicPartition, Long>> from) {
    AtomicReference<ScheduleError> error = new AtomicReference<>();
    AtomicReference<ConsumerRecord<String, byte[]>> dead = new AtomicReference<>();
    AtomicReference<ScheduleState> accepted = new AtomicReference<>();
    try {
      await("outcome of " + fed.key())
          .atMost(EVENT_BUDGET)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                for (var r :
                    pipeline.readCommittedFrom(
                        Topics.SCHEDULE_ERRORS.name(), from.get(Topics.SCHEDULE_ERRORS.name()))) {
                  if (keyMatches(r, fed.key()) && r.value() != null) {
                    error.set(
                        Topics.SCHEDULE_ERRORS
                            .valueSerde()
                            .deserializer()
                            .deserialize(r.topic(), r.value()));
                  }
                }
                for (var r :
                    pipeline.readCommittedFrom(
                        Topics.SCHEDULE_CHANGES.dlqName(),
                        from.get(Topics.SCHEDULE_CHANGES.dlqName()))) {
                  if (keyMatches(r, fed.key())) {
                    dead.set(r);
                  }
                }
                for (var r :
                    pipeline.readCommittedFrom(
                        Topics.SCHEDULE_STATES.name(), from.get(Topics.SCHEDULE_STATES.name()))) {
                  if (keyMatches(r, fed.key()) && r.value() != null) {
                    ScheduleState s =
                        Topics.SCHEDULE_STATES
                            .valueSerde()
                            .deserializer()
                            .deserialize(r.topic(), r.value());
                    if (!"invalid".equals(s.status())) {
                      accepted.set(s);
                    }
                  }
                }
                return error.get() != null
                    || dead.get() != null
                    || (accepted.get() != null
                        && fed.fireAt() != null
                        && Instant.now().isAfter(fed.fireAt().plus(AFTER_FIRE)));
              });
    } catch (ConditionTimeoutException e) {
      return Judged.of(
          false,
          "no schedule error, dead letter or state in " + EVENT_BUDGET.toSeconds() + " s",
          null);
    }
    if (error.get() != null) {
      ScheduleError e = error.get();
      List<String> extra = new ArrayList<>();
      if (e.reasons().isEmpty() || e.reasons().stream().anyMatch(String::isBlank)) {
        extra.add("reasons empty or blank: " + e.reasons());
      }
      boolean ok = expect != Expect.DEAD_LETTER;
      return new Judged(
          ok,
          "schedule error (" + (e.reason() == null ? "?" : e.reason().wire()) + ")",
          e.message() == null ? "" : e.message(),
          extra);
    }
    if (dead.get() != null) {
      List<String> extra = new ArrayList<>();
      for (String h :
          List.of(
              Topics.DLQ_HEADER_TOPIC,
              Topics.DLQ_HEADER_PARTITION,
              Topics.DLQ_HEADER_OFFSET,
              Topics.DLQ_HEADER_REASON)) {
        Header header = dead.get().headers().lastHeader(h);
        if (header == null || header.value() == null || header.value().length == 0) {
          extra.add("dead letter without header " + h);
        }
      }
      Header reason = dead.get().headers().lastHeader(Topics.DLQ_HEADER_REASON);
      boolean ok = expect != Expect.ERROR;
      return new Judged(
          ok, "dead letter", reason == null ? "" : Pipeline.utf8(reason.value()), extra);
    }
    return Judged.of(false, "accepted (state " + accepted.get().status() + ")", null);
  }

  /** The row's change reached its topic (or that topic's dead-letter topic) under its id. */
  private Judged judgeCarried(Fed fed, Map<String, Map<TopicPartition, Long>> from) {
    AtomicReference<String> where = new AtomicReference<>();
    try {
      await("change of " + fed.table() + " " + fed.id() + " carried")
          .atMost(ROW_BUDGET)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                for (String topic : from.keySet()) {
                  if (pipeline.readCommittedFrom(topic, from.get(topic)).stream()
                      .anyMatch(r -> fed.id().equals(r.key()))) {
                    where.set(topic);
                    return true;
                  }
                }
                return false;
              });
    } catch (ConditionTimeoutException e) {
      return Judged.of(
          false,
          "not on " + from.keySet() + " after " + ROW_BUDGET.toSeconds() + " s (CDC stopped?)",
          null);
    }
    return Judged.of(true, "carried to " + where.get(), null);
  }

  /** The fake received the send, with a text within the WhatsApp bound. */
  private Judged judgeSent(Fed fed) {
    AtomicReference<FakeWhatsAppApi.Request> sent = new AtomicReference<>();
    AtomicReference<String[]> state = new AtomicReference<>(new String[3]);
    try {
      await("send to " + fed.phone())
          .atMost(ROW_BUDGET)
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                List<FakeWhatsAppApi.Request> got = pipeline.fake.requestsTo(fed.phone());
                if (!got.isEmpty()) {
                  sent.set(got.get(0));
                  return true;
                }
                String[] s = rowState(fed.table(), fed.id());
                state.set(s);
                return "failed".equals(s[0]) || "completed".equals(s[0]);
              });
    } catch (ConditionTimeoutException e) {
      return Judged.of(
          false,
          "not sent in " + ROW_BUDGET.toSeconds() + " s (status " + state.get()[0] + ")",
          state.get()[1]);
    }
    if (sent.get() == null) {
      return Judged.of(false, "not sent (status " + state.get()[0] + ")", state.get()[1]);
    }
    String text = Optional.ofNullable(sent.get().text()).orElse("");
    int chars = text.codePointCount(0, text.length());
    if (chars > Limits.MESSAGE_MAX_CHARS) {
      return Judged.of(false, "sent with " + chars + " characters", null);
    }
    return Judged.of(true, "sent, " + chars + " characters", null);
  }

  /** Nothing of its own to observe: both services stay ready for a few seconds. */
  private Judged judgeSurvives(Map<ServiceProcess, Long> pids) {
    try {
      await("services stay ready")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(6))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> pids.keySet().stream().allMatch(p -> p.isAlive() && ready(p)));
    } catch (ConditionTimeoutException e) {
      return Judged.of(false, "a service did not stay ready", null);
    }
    return Judged.of(true, "services stayed ready", null);
  }

  // ---------------------------------------------------------------------------------------------
  // the general conditions

  /** "ready", or what is wrong with which service. */
  private String health(Map<ServiceProcess, Long> pids) {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<ServiceProcess, Long> e : pids.entrySet()) {
      ServiceProcess p = e.getKey();
      if (!p.isAlive()) {
        wrong.add(p.name() + " exited (" + p.exitValue() + "), see " + p.currentLog());
        continue;
      }
      if (p.pid() != e.getValue()) {
        wrong.add(p.name() + " restarted (pid " + e.getValue() + " -> " + p.pid() + ")");
        continue;
      }
      try {
        await(p.name() + " ready")
            .atMost(READY_BUDGET)
            .pollInterval(Duration.ofMillis(250))
            .until(() -> !p.isAlive() || ready(p));
        if (!p.isAlive()) {
          wrong.add(p.name() + " exited (" + p.exitValue() + "), see " + p.currentLog());
        }
      } catch (ConditionTimeoutException ex) {
        wrong.add(p.name() + " /health/ready not 200 for " + READY_BUDGET.toSeconds() + " s");
      }
    }
    return wrong.isEmpty() ? "ready" : String.join("; ", wrong);
  }

  private static boolean ready(ServiceProcess p) {
    try {
      return p.get("/health/ready").statusCode() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Every {@code *_restarts_total} counter the services expose (e.g. the CDC engine's), by service
   * and series: a component that restarts itself inside a live, ready process is a crash loop all
   * the same (the CDC engine re-reading a batch it cannot produce, for every tenant).
   */
  private static Map<String, Double> restartCounters(Iterable<ServiceProcess> processes) {
    Map<String, Double> out = new HashMap<>();
    for (ServiceProcess p : processes) {
      for (String line : p.scrapeMetrics().split("\n")) {
        if (!line.startsWith("#") && line.contains("_restarts_total")) {
          int sp = line.lastIndexOf(' ');
          try {
            out.put(
                p.name() + " " + line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
          } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // not a sample line
          }
        }
      }
    }
    return out;
  }

  private static List<String> restartedInside(
      Map<String, Double> before, Map<String, Double> after) {
    List<String> out = new ArrayList<>();
    after.forEach(
        (series, value) -> {
          double was = before.getOrDefault(series, 0.0);
          if (value > was) {
            out.add(series + " went from " + (long) was + " to " + value.longValue());
          }
        });
    return out;
  }

  private static Map<ServiceProcess, Long> logSizes(Iterable<ServiceProcess> processes) {
    Map<ServiceProcess, Long> out = new HashMap<>();
    for (ServiceProcess p : processes) {
      try {
        out.put(p, p.currentLog() == null ? 0L : Files.size(p.currentLog()));
      } catch (IOException e) {
        out.put(p, 0L);
      }
    }
    return out;
  }

  /** Lines naming a fatal error that the services logged since {@code from}. */
  private static List<String> fatalLogLines(Map<ServiceProcess, Long> from) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<ServiceProcess, Long> e : from.entrySet()) {
      if (e.getKey().currentLog() == null) {
        continue;
      }
      try (RandomAccessFile f = new RandomAccessFile(e.getKey().currentLog().toFile(), "r")) {
        long start = Math.min(e.getValue(), f.length());
        byte[] added = new byte[(int) Math.min(f.length() - start, 64L * 1024 * 1024)];
        f.seek(start);
        f.readFully(added);
        for (String line : new String(added, StandardCharsets.UTF_8).split("\n")) {
          for (String fatal : FATAL_IN_LOGS) {
            if (line.contains(fatal)) {
              out.add(e.getKey().name() + " logged " + fatal + ": " + firstLine(line));
              break;
            }
          }
          if (out.size() >= 3) {
            return out;
          }
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  // ---------------------------------------------------------------------------------------------
  // report

  private static void report(
      List<Result> results,
      HealthyTenant b,
      Instant firstMinute,
      Instant lastMinute,
      List<String> missed,
      long millis) {
    StringBuilder t = new StringBuilder();
    t.append("Run ")
        .append(Instant.now())
        .append(", ")
        .append(millis / 1000)
        .append(" s; ")
        .append(results.stream().filter(Result::passed).count())
        .append(" of ")
        .append(results.size())
        .append(" cases passed.\n")
        .append("Healthy tenant ")
        .append(b.workload.tenant)
        .append(": minutes from ")
        .append(firstMinute)
        .append(" to ")
        .append(lastMinute)
        .append(", ")
        .append(
            firstMinute == null || lastMinute == null
                ? "?"
                : HealthyTenant.minutesIn(firstMinute, lastMinute))
        .append(" judged, ")
        .append(missed.isEmpty() ? "none missed" : "missed: " + missed)
        .append("\n\n")
        .append(
            "| # | case | path | expected | outcome | error text chars | time to outcome"
                + " (ms) | services | healthy tenant | result |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      t.append("| ")
          .append(r.number())
          .append(" | ")
          .append(cell(r.poison().label()))
          .append(" | ")
          .append(r.poison().path())
          .append(" | ")
          .append(r.poison().expect())
          .append(r.poison().mention() == null ? "" : " ('" + r.poison().mention() + "')")
          .append(" | ")
          .append(cell(r.outcome()))
          .append(" | ")
          .append(r.errorChars() == null ? "-" : r.errorChars())
          .append(" | ")
          .append(r.millis() == null ? "-" : r.millis())
          .append(" | ")
          .append(cell(r.services()))
          .append(" | ")
          .append(r.minutes())
          .append(" | ")
          .append(r.passed() ? "pass" : "FAIL: " + cell(String.join("; ", r.problems())))
          .append(" |\n");
    }
    log.info("Poison catalogue results:\n{}", t);
    try {
      Files.createDirectories(java.nio.file.Path.of("target"));
      Files.writeString(java.nio.file.Path.of("target", "poison-catalogue-results.md"), t);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String cell(String s) {
    String c = s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    return c.length() > 300 ? c.substring(0, 300) + "…" : c;
  }
}
