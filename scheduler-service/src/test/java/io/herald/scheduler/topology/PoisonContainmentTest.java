package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.TENANT;
import static io.herald.scheduler.topology.SchedulerFixture.contactId;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import io.herald.scheduler.store.ScheduleState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One schedule's pathological content never stops the task: it is rejected with a bounded, readable
 * reason (or set aside when processing it fails anyway), and a healthy schedule of another tenant
 * beside it still fires. Each case is a class of input (size, depth, cost), the way issue 13 found
 * them.
 */
class PoisonContainmentTest {

  /** 2026-06-01 09:00 in Berlin. */
  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private void start() {
    start(NowSource.streamsClock());
  }

  private void start(NowSource now) {
    f = new SchedulerFixture(stateDir, now);
    f.device(DEVICE, TENANT);
    f.contact(contactId(1), phone(1), "Ada Lovelace", false);
  }

  private ScheduleChange healthy() {
    return recurring(
        "healthy", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "Hello {name}");
  }

  private static ScheduleChange withMessage(ScheduleChange c, String message, String mediaUrl) {
    return c.withMessage(message, mediaUrl);
  }

  private static ScheduleChange withRule(ScheduleChange c, RuleSpec rule) {
    return SchedulerFixture.withRule(c, rule);
  }

  /** The healthy schedule fires at nine and its one command goes out. */
  private void assertHealthyFires() {
    f.advanceTo(NINE.plusMillis(500));
    assertThat(f.commands())
        .extracting(cmd -> cmd.scheduleKey())
        .containsExactly("recurring:healthy");
  }

  private ScheduleError onlyError(String key) {
    List<ScheduleError> errors =
        f.errors.readValuesToList().stream().filter(e -> e.scheduleKey().equals(key)).toList();
    assertThat(errors).hasSize(1);
    ScheduleError e = errors.get(0);
    assertThat(e.message()).isNotBlank().hasSizeLessThanOrEqualTo(Limits.ERROR_TEXT_MAX_CHARS);
    assertThat(e.reasons()).hasSizeLessThanOrEqualTo(Limits.ERROR_REASONS_LISTED + 1);
    return e;
  }

  private static String nested(int depth) {
    return "{".repeat(depth) + "x" + "}".repeat(depth);
  }

  @Test
  void shouldRejectWithOneShortErrorWhenTheCronIs20KbOfBadFields() {
    start();
    f.send(healthy());
    ScheduleChange bad =
        withRule(
            recurring("cron", daily("09:00", "UTC"), List.of(contactId(1)), "hi"),
            new RuleSpec(
                "custom",
                null,
                null,
                "61,".repeat(7_000) + " * * * *",
                null,
                null,
                null,
                "UTC",
                null,
                null,
                null,
                null,
                null,
                null));
    f.send(bad);

    ScheduleError e = onlyError(bad.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.TOO_LARGE);
    assertThat(e.message()).contains("cron_expression has 21008 characters, at most 256");
    assertHealthyFires();
  }

  @Test
  void shouldRejectWithoutSuggestingWhenTheZoneIs100Kb() {
    start();
    f.send(healthy());
    ScheduleChange bad =
        withRule(
            recurring("zone", daily("09:00", "UTC"), List.of(contactId(1)), "hi"),
            daily("09:00", "Europe/Berlin".repeat(8_000)));
    f.send(bad);

    ScheduleError e = onlyError(bad.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.TOO_LARGE);
    assertThat(e.message()).startsWith("timezone has 104000 characters");
    assertHealthyFires();
  }

  @Test
  void shouldRejectWhenTheMessageIs40KbOfNestedBraces() {
    start();
    f.send(healthy());
    ScheduleChange bad =
        withMessage(
            recurring("braces", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            "{".repeat(40_000),
            null);
    f.send(bad);

    assertThat(onlyError(bad.scheduleKey()).message())
        .contains("message has 40000 characters, at most 4096");
    assertHealthyFires();
  }

  @Test
  void shouldRejectATemplateNestedDeeperThanTheBoundEvenWhenShort() {
    start();
    f.send(healthy());
    ScheduleChange deep =
        withMessage(
            recurring("deep", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            nested(Limits.TEMPLATE_MAX_DEPTH + 1),
            null);
    ScheduleChange fine =
        withMessage(
            recurring("fine", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            nested(Limits.TEMPLATE_MAX_DEPTH),
            null);
    f.send(deep);
    f.send(fine);

    assertThat(onlyError(deep.scheduleKey()).reason()).isEqualTo(ErrorReason.INVALID_CONTENT);
    f.advanceTo(NINE.plusMillis(500));
    assertThat(f.commands())
        .extracting(cmd -> cmd.scheduleKey())
        .containsExactlyInAnyOrder("recurring:healthy", "recurring:fine");
  }

  @Test
  void shouldRejectACaptionOverWhatsAppsLimitWhenMediaIsAttached() {
    start();
    String text = "x".repeat(Limits.CAPTION_MAX_CHARS + 1);
    ScheduleChange caption =
        withMessage(
            recurring("caption", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            text,
            "https://example.org/a.png");
    ScheduleChange plain =
        withMessage(
            recurring("plain", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            text,
            null);
    f.send(caption);
    f.send(plain);

    List<ScheduleError> errors = f.errors.readValuesToList();
    assertThat(errors)
        .extracting(ScheduleError::scheduleKey)
        .containsExactly(caption.scheduleKey());
    assertThat(errors.get(0).message()).contains("at most " + Limits.CAPTION_MAX_CHARS);
  }

  @Test
  void shouldNameFieldsOverTheirBoundAndQuoteNoValue() {
    start();
    String huge = "\u0000A".repeat(50_000);
    ScheduleChange bad =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            "recurring:fields",
            ScheduleKind.RECURRING,
            TENANT,
            DEVICE,
            huge,
            "hi",
            huge,
            List.of(contactId(1), huge),
            daily("09:00", "UTC"),
            new PacingSpec(huge, 1, false, null, null),
            true,
            huge,
            1L,
            NINE,
            List.of());
    f.send(bad);

    ScheduleError e = onlyError(bad.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.TOO_LARGE);
    assertThat(e.message())
        .contains(
            "name has 100000 characters",
            "mediaUrl has 100000",
            "status has 100000",
            "pacing.delayType has 100000",
            "recipients[1] has more than");
    assertThat(e.message()).doesNotContain("\u0000", "AAAA");
  }

  @Test
  void shouldCountTheRestWhenADirectProducerSendsAHundredThousandMappingErrors() {
    start();
    List<String> many = Collections.nCopies(100_000, "recipients is not an array");
    ScheduleChange bad =
        new ScheduleChange(
            ScheduleChange.SCHEMA_VERSION,
            ChangeOp.UPSERT,
            "recurring:many",
            ScheduleKind.RECURRING,
            TENANT,
            DEVICE,
            "n",
            "hi",
            null,
            List.of(contactId(1)),
            daily("09:00", "UTC"),
            null,
            true,
            null,
            1L,
            NINE,
            many);
    f.send(bad);

    ScheduleError e = onlyError(bad.scheduleKey());
    assertThat(e.reasons()).hasSize(Limits.ERROR_REASONS_LISTED + 1);
    assertThat(e.reasons().get(Limits.ERROR_REASONS_LISTED)).isEqualTo("and 99990 more");
    assertThat(e.message()).endsWith("more");
  }

  @Test
  void shouldDeadLetterAChangeWhoseKeyIsLongerThanAnyScheduleKey() {
    start();
    f.send(healthy());
    String key = "recurring:" + "k".repeat(1_000_000);
    f.rawChanges.pipeInput(key, "{}".getBytes(StandardCharsets.UTF_8), f.now());

    List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).key()).hasSize(Limits.SCHEDULE_KEY_MAX_CHARS);
    assertThat(
            new String(
                dead.get(0).headers().lastHeader(Topics.DLQ_HEADER_REASON).value(),
                StandardCharsets.UTF_8))
        .startsWith("schedule key has 1000010 characters");
    assertThat(f.errors.isEmpty()).isTrue();
    assertHealthyFires();
  }

  @Test
  void shouldRejectAsTooLargeWhenTheSerializedDefinitionIsOverTheBound() {
    start();
    f.send(healthy());
    ScheduleChange armed =
        recurring("big", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "first version");
    f.send(armed);
    // Recipients within the per-definition maximum, yet together over MAX_DEFINITION_BYTES.
    List<String> recipients = new ArrayList<>();
    for (int i = 0; i < 49_000; i++) {
      recipients.add("+" + "1".repeat(15) + "      ".repeat(13));
    }
    ScheduleChange big =
        armed
            .withMessage("second version", null)
            .withRecipients(recipients)
            .withStatus(true, null)
            .withSourceVersion(2L);
    byte[] bytes = Topics.SCHEDULE_CHANGES.valueSerde().serializer().serialize("t", big);
    assertThat(bytes.length).isGreaterThan(Limits.MAX_DEFINITION_BYTES);
    f.rawChanges.pipeInput(big.scheduleKey(), bytes, f.now());

    ScheduleError e = onlyError(big.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.TOO_LARGE);
    assertThat(e.message()).startsWith("definition too large: ").contains("limit 4,194,304");
    // The first version is stopped, not left firing.
    assertHealthyFires();
  }

  @Test
  void shouldSetAsideAScheduleThatFailsAtFiringAndFireTheOthers() {
    start();
    f.send(healthy());
    ScheduleChange victim =
        recurring("victim", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "hi");
    f.send(victim);
    // A stored definition this code cannot fire (no kind): stands for any defect or corrupted
    // state that makes firing one schedule throw.
    KeyValueStore<String, ScheduleState> schedules =
        f.driver.getKeyValueStore(Names.SCHEDULES_STORE);
    ScheduleState state = schedules.get(victim.scheduleKey());
    Definition d = state.definition();
    schedules.put(
        victim.scheduleKey(),
        new ScheduleState(
            new Definition(
                d.scheduleKey(),
                null,
                d.tenantId(),
                d.deviceId(),
                d.name(),
                d.message(),
                d.mediaUrl(),
                d.recipients(),
                d.rule(),
                d.pacing(),
                d.active(),
                d.sourceStatus(),
                d.sourceVersion(),
                d.createdAt(),
                d.mappingErrors()),
            state.generation(),
            state.status(),
            state.timerDue(),
            state.lastFiredOccurrence(),
            state.executionCount(),
            state.recipientCount(),
            state.awaitingDeviceSince()));

    assertHealthyFires();
    ScheduleError e = onlyError(victim.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.UNPROCESSABLE);
    assertThat(e.message()).contains("at fire");
    assertThat(schedules.get(victim.scheduleKey()).status()).isEqualTo(ScheduleStatus.INVALID);
    assertThat(
            f.metrics
                .registry()
                .get("herald.scheduler.set.aside")
                .tag("stage", "fire")
                .counter()
                .count())
        .isEqualTo(1.0);
    // Never again: the next day only the healthy schedule fires.
    f.advanceTo(NINE.plus(Duration.ofDays(1)).plusMillis(500));
    assertThat(f.commands())
        .extracting(cmd -> cmd.scheduleKey())
        .containsExactly("recurring:healthy");
  }

  @Test
  void shouldSetAsideAndDeadLetterAChangeWhoseProcessingFails() {
    AtomicBoolean failNext = new AtomicBoolean();
    start(
        millis -> {
          if (failNext.compareAndSet(true, false)) {
            throw new IllegalStateException("injected: stands for a defect a change triggers");
          }
          return millis;
        });
    f.send(healthy());
    ScheduleChange victim =
        recurring("victim", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "hi");
    failNext.set(true);
    f.send(victim);

    ScheduleError e = onlyError(victim.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.UNPROCESSABLE);
    List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8))
        .isEqualTo(victim.scheduleKey());
    assertThat(
            Topics.SCHEDULE_CHANGES
                .valueSerde()
                .deserializer()
                .deserialize("t", dead.get(0).value())
                .message())
        .isEqualTo("hi");
    assertHealthyFires();
  }

  @Test
  void shouldRejectAMessageThatCanRenderLongerThanWhatsAppTakes() {
    start();
    ScheduleChange worst =
        withMessage(
            recurring("worst", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            "{name}".repeat(Limits.TEMPLATE_MAX_GROUPS),
            null);
    ScheduleChange fields =
        withMessage(
            recurring("fields", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            "Dear {first_name}, {company} {street} {city} {plan} {due}: {Hi|Hello|Good day} {date}",
            null);
    f.send(worst);
    f.send(fields);

    List<ScheduleError> errors = f.errors.readValuesToList();
    assertThat(errors).extracting(ScheduleError::scheduleKey).containsExactly(worst.scheduleKey());
    assertThat(errors.get(0).reason()).isEqualTo(ErrorReason.TOO_LARGE);
    assertThat(errors.get(0).message())
        .startsWith(
            "message can render to "
                + (long) Limits.TEMPLATE_MAX_GROUPS * Limits.CONTACT_NAME_MAX_CHARS
                + " characters");
  }

  @Test
  void shouldRejectAMessageWithANulOrHalfASurrogatePair() {
    start();
    ScheduleChange nul =
        withMessage(
            recurring("nul", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            "Hi\u0000 there\nsecond line",
            null);
    ScheduleChange half =
        withMessage(
            recurring("half", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "x"),
            "Hi \uD83D",
            null);
    f.send(nul);
    f.send(half);

    List<ScheduleError> errors = f.errors.readValuesToList();
    assertThat(errors)
        .extracting(ScheduleError::message)
        .containsExactly(
            "message contains the control character U+0000 at position 2",
            "message is not valid Unicode (half a surrogate pair at position 3)");
  }

  @Test
  void shouldTreatADeviceWithAnOversizedTenantIdAsUnknownAndNeverCutTheId() {
    start();
    String other = "22222222-2222-4222-8222-222222222222";
    // The first 128 characters are the real tenant's id: cut, the device would pass as theirs.
    f.devices.pipeInput(
        other,
        new io.herald.contracts.event.DeviceInfo(
            1, other, TENANT + "x".repeat(10_000), "simulated", "active", null, false));
    ScheduleChange onIt =
        SchedulerFixture.withDevice(
            recurring("on-it", daily("09:00", "Europe/Berlin"), List.of(contactId(1)), "hi"),
            other);
    f.send(onIt);
    f.advance(Duration.ofSeconds(31));

    ScheduleError e = onlyError(onIt.scheduleKey());
    assertThat(e.reason()).isEqualTo(ErrorReason.UNKNOWN_DEVICE);
    assertThat(
            f.metrics
                .registry()
                .get("herald.scheduler.set.aside")
                .tag("stage", "device")
                .counter()
                .count())
        .isEqualTo(1.0);
  }
}
