package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.FOREIGN_DEVICE;
import static io.herald.scheduler.topology.SchedulerFixture.OTHER_TENANT;
import static io.herald.scheduler.topology.SchedulerFixture.TENANT;
import static io.herald.scheduler.topology.SchedulerFixture.change;
import static io.herald.scheduler.topology.SchedulerFixture.contactId;
import static io.herald.scheduler.topology.SchedulerFixture.daily;
import static io.herald.scheduler.topology.SchedulerFixture.dailyWithCatchUp;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static io.herald.scheduler.topology.SchedulerFixture.recurring;
import static io.herald.scheduler.topology.SchedulerFixture.withActive;
import static io.herald.scheduler.topology.SchedulerFixture.withCreatedAt;
import static io.herald.scheduler.topology.SchedulerFixture.withDevice;
import static io.herald.scheduler.topology.SchedulerFixture.withRule;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.Occurrence;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.Topics;
import io.herald.scheduler.timer.TimerKey;
import io.herald.scheduler.timer.TimerKeyCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTopologyTest {

  /** 09:00 in Berlin on the fixture's first day (CEST, UTC+2). */
  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir);
    f.device(DEVICE, TENANT);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void threeContacts() {
    f.contact(contactId(1), phone(1), "Ada Lovelace", false);
    f.contact(contactId(2), phone(2), "Grace Hopper", false);
    f.contact(contactId(3), phone(3), "Alan Turing", false);
  }

  private static List<String> contactIds(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(SchedulerFixture::contactId).toList();
  }

  private List<TimerKey> timerKeys() {
    return f.timerEntries().stream().map(kv -> TimerKeyCodec.decode(kv.key.get())).toList();
  }

  @Nested
  class RecurringMessage {

    @Test
    void shouldEmitOneCommandPerContactWhenTheTimerFires() {
      threeContacts();
      f.send(
          recurring(
              "r1",
              daily("09:00", "Europe/Berlin"),
              contactIds(3),
              "{Hi|Hello} {first_name}, it is {time} on {date}"));

      assertThat(timerKeys()).containsExactly(new TimerKey(NINE, "recurring:r1"));
      f.jump(Duration.between(f.now(), NINE.minusMillis(1)));
      assertThat(f.commands.isEmpty()).isTrue();

      f.advance(Duration.ofMillis(250));

      List<TestRecord<String, SendCommand>> records = f.commandRecords();
      assertThat(records).hasSize(3);
      assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(DEVICE));
      List<SendCommand> commands = records.stream().map(TestRecord::value).toList();
      assertThat(commands).extracting(SendCommand::occurrenceAt).containsOnly(NINE);
      assertThat(commands)
          .extracting(SendCommand::commandId)
          .containsExactly(
              CommandId.of("recurring:r1", NINE, contactId(1)),
              CommandId.of("recurring:r1", NINE, contactId(2)),
              CommandId.of("recurring:r1", NINE, contactId(3)));
      assertThat(commands)
          .extracting(SendCommand::recipient)
          .containsExactly(phone(1), phone(2), phone(3));
      assertThat(commands.get(0).text()).matches("(Hi|Hello) Ada, it is 09:00 on 2026-06-01");
      assertThat(commands.get(1).text()).matches("(Hi|Hello) Grace, it is 09:00 on 2026-06-01");
      assertThat(commands.get(0).contactId()).isEqualTo(contactId(1));
      assertThat(commands.get(0).recipientType()).isEqualTo(RecipientType.INDIVIDUAL);
      assertThat(commands.get(0).notAfter()).isEqualTo(NINE.plus(Duration.ofHours(6)));
      assertThat(commands.get(0).tenantId()).isEqualTo(TENANT);

      Occurrence occurrence = f.occurrences.readValue();
      assertThat(occurrence.occurrenceAt()).isEqualTo(NINE);
      assertThat(occurrence.recipientCount()).isEqualTo(3);
      assertThat(occurrence.skippedCount()).isZero();
      assertThat(occurrence.executionCount()).isEqualTo(1);
      assertThat(occurrence.nextDueAt()).isEqualTo(NINE.plus(Duration.ofDays(1)));
      assertThat(occurrence.finished()).isFalse();
      assertThat(timerKeys())
          .containsExactly(new TimerKey(NINE.plus(Duration.ofDays(1)), "recurring:r1"));
    }

    @Test
    void shouldRenderContactNameWhenRecipientIsAPhoneNumberWithSeparators() {
      f.contact(contactId(7), phone(7), "Ada Lovelace", false);
      String spaced = "+62 812-0000 (0007)";
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), List.of(spaced), "Hi {name}"));

      f.jump(Duration.between(f.now(), NINE));

      SendCommand command = f.commands.readValue();
      assertThat(command.recipient()).isEqualTo(phone(7));
      assertThat(command.text()).isEqualTo("Hi Ada Lovelace");
      assertThat(command.commandId()).isEqualTo(CommandId.of("recurring:r1", NINE, phone(7)));
      assertThat(command.contactId()).isEqualTo(contactId(7));
    }

    @Test
    void shouldNeverReEmitWhenTheTimerAlreadyFired() {
      threeContacts();
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));
      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands()).hasSize(3);

      f.advance(Duration.ofSeconds(5));
      f.jump(Duration.ofHours(1));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(f.occurrences.readValuesToList()).hasSize(1);
    }

    @Test
    void shouldFireTheNextDayWithNewIdsWhenTheDayPasses() {
      threeContacts();
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));
      f.jump(Duration.between(f.now(), NINE));
      f.commands();

      f.jump(Duration.ofDays(1));

      assertThat(f.commands())
          .extracting(SendCommand::commandId)
          .containsExactly(
              CommandId.of("recurring:r1", NINE.plus(Duration.ofDays(1)), contactId(1)),
              CommandId.of("recurring:r1", NINE.plus(Duration.ofDays(1)), contactId(2)),
              CommandId.of("recurring:r1", NINE.plus(Duration.ofDays(1)), contactId(3)));
    }

    @Test
    void shouldSkipAndCountContactWhenItOptedOut() {
      f.contact(contactId(1), phone(1), "Ada", false);
      f.contact(contactId(2), phone(2), "Grace", true);
      f.contact(contactId(3), phone(3), "Alan", false);
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));

      f.jump(Duration.between(f.now(), NINE));

      assertThat(f.commands())
          .extracting(SendCommand::recipient)
          .containsExactly(phone(1), phone(3));
      Occurrence occurrence = f.occurrences.readValue();
      assertThat(occurrence.recipientCount()).isEqualTo(3);
      assertThat(occurrence.skippedCount()).isEqualTo(1);
      assertThat(skipped("opted_out")).isEqualTo(1.0);
      assertThat(skipped("unknown_contact")).isZero();
    }

    private double skipped(String reason) {
      return f.metrics
          .registry()
          .get("herald.scheduler.recipients.skipped")
          .tag("reason", reason)
          .counter()
          .count();
    }

    @Test
    void shouldSkipPhoneRecipientWhenItsContactOptedOut() {
      f.contact(contactId(2), phone(2), "Grace", true);
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), List.of(phone(1), phone(2)), "Hi"));

      f.jump(Duration.between(f.now(), NINE));

      assertThat(f.commands()).extracting(SendCommand::recipient).containsExactly(phone(1));
    }
  }

  @Nested
  class Redelivery {

    @Test
    void shouldEmitSameCommandIdsOnceWhenTheChangeIsDeliveredTwice() {
      threeContacts();
      ScheduleChange c = recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi");
      f.send(c);
      f.send(c);

      f.jump(Duration.between(f.now(), NINE));

      assertThat(f.commands())
          .extracting(SendCommand::commandId)
          .containsExactly(
              CommandId.of("recurring:r1", NINE, contactId(1)),
              CommandId.of("recurring:r1", NINE, contactId(2)),
              CommandId.of("recurring:r1", NINE, contactId(3)));
      assertThat(timerKeys()).hasSize(1);
    }

    @Test
    void shouldNotFireAgainWhenTheChangeIsRedeliveredAfterFiring() {
      threeContacts();
      ScheduleChange c = recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi");
      f.send(c);
      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands()).hasSize(3);

      f.send(c);
      f.advance(Duration.ofSeconds(2));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(timerKeys())
          .containsExactly(new TimerKey(NINE.plus(Duration.ofDays(1)), "recurring:r1"));
    }
  }

  @Nested
  class Validation {

    @Test
    void shouldEmitOneErrorAndLeaveOtherKeysAloneWhenTheZoneIsUnknown() {
      threeContacts();
      f.send(recurring("bad", daily("09:00", "Europe/Berlinn"), contactIds(3), "Hi"));
      f.send(recurring("good", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));

      List<TestRecord<String, ScheduleError>> errors = f.errors.readRecordsToList();
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0).key()).isEqualTo("recurring:bad");
      assertThat(errors.get(0).value().reason()).isEqualTo(ErrorReason.UNKNOWN_TIMEZONE);
      assertThat(errors.get(0).value().tenantId()).isEqualTo(TENANT);
      assertThat(timerKeys()).containsExactly(new TimerKey(NINE, "recurring:good"));

      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands())
          .hasSize(3)
          .extracting(SendCommand::scheduleKey)
          .containsOnly("recurring:good");
    }

    @Test
    void shouldCollectEveryProblemWhenADefinitionHasSeveral() {
      ScheduleChange c =
          new ScheduleChange(
              1,
              io.herald.contracts.event.ChangeOp.UPSERT,
              "recurring:many",
              ScheduleKind.RECURRING,
              TENANT,
              DEVICE,
              "x",
              "  ",
              "ftp://example.com/a.png",
              List.of("0062812", phone(1)),
              daily("25:00", "Europe/Berlin"),
              new PacingSpec("slow", -1, false, null, null),
              true,
              null,
              1,
              SchedulerFixture.START,
              List.of());

      f.send(c);

      ScheduleError error = f.errors.readValue();
      assertThat(error.reasons()).hasSizeGreaterThanOrEqualTo(5);
      assertThat(error.message())
          .contains("recipients[0]")
          .contains("mediaUrl")
          .contains("pacing.delayType")
          .contains("pacing.delaySeconds");
      assertThat(error.message()).doesNotContain("0062812").doesNotContain(phone(1));
      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldReportMissingFieldsWhenAProducerLeftThemOut() {
      ScheduleChange c =
          new ScheduleChange(
              1,
              io.herald.contracts.event.ChangeOp.UPSERT,
              "recurring:direct",
              null,
              null,
              null,
              null,
              "Hi",
              null,
              null,
              null,
              null,
              true,
              null,
              0,
              null,
              List.of());

      f.send(c);

      ScheduleError error = f.errors.readValue();
      assertThat(error.reason()).isEqualTo(ErrorReason.MISSING_FIELD);
      assertThat(error.message())
          .contains("kind")
          .contains("tenantId")
          .contains("deviceId")
          .contains("rule")
          .contains("recipients");
    }

    @Test
    void shouldRejectQuicklyWhenThereAreMoreRecipientsThanAllowed() {
      List<String> many = IntStream.range(0, 100_000).mapToObj(SchedulerFixture::phone).toList();
      long started = System.nanoTime();

      f.send(recurring("huge", daily("09:00", "Europe/Berlin"), many, "Hi"));

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      ScheduleError error = f.errors.readValue();
      assertThat(error.reason()).isEqualTo(ErrorReason.INVALID_RECIPIENTS);
      assertThat(error.message()).contains("100000 entries").contains("maximum of 50000");
      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldCancelTheOldTimerWhenAnUpdateMakesTheDefinitionInvalid() {
      threeContacts();
      ScheduleChange c = recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi");
      f.send(c);

      f.send(withRule(c, daily("09:00", "Mars/Olympus")));

      assertThat(f.errors.readValuesToList()).hasSize(1);
      assertThat(timerKeys()).isEmpty();
      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands.isEmpty()).isTrue();
    }
  }

  @Nested
  class TenantIsolation {

    @Test
    void shouldRejectAtOnceWhenTheDeviceBelongsToAnotherTenant() {
      f.device(FOREIGN_DEVICE, OTHER_TENANT);

      f.send(
          withDevice(
              recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(1), "Hi"),
              FOREIGN_DEVICE));

      ScheduleError error = f.errors.readValue();
      assertThat(error.reason()).isEqualTo(ErrorReason.FOREIGN_DEVICE);
      assertThat(error.message()).doesNotContain(OTHER_TENANT);
      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldRejectAfterTheWaitWhenTheDeviceStaysUnknown() {
      String unknown = "33333333-3333-4333-8333-333333333333";
      f.send(
          withDevice(
              recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(1), "Hi"), unknown));
      f.advance(Duration.ofSeconds(29));
      assertThat(f.errors.isEmpty()).isTrue();
      assertThat(timerKeys()).isEmpty();

      f.advance(Duration.ofSeconds(2));

      List<ScheduleError> errors = f.errors.readValuesToList();
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0).reason()).isEqualTo(ErrorReason.UNKNOWN_DEVICE);
      f.advance(Duration.ofSeconds(5));
      assertThat(f.errors.isEmpty()).isTrue();
    }

    @Test
    void shouldArmTheScheduleWhenItsDeviceArrivesWithinTheWait() {
      String late = "44444444-4444-4444-8444-444444444444";
      f.contact(contactId(1), phone(1), "Ada", false);
      f.send(
          withDevice(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(1), "Hi"), late));
      f.advance(Duration.ofSeconds(10));

      f.device(late, TENANT);
      f.advance(Duration.ofSeconds(1));

      assertThat(timerKeys()).containsExactly(new TimerKey(NINE, "recurring:r1"));
      f.advance(Duration.ofSeconds(40));
      assertThat(f.errors.isEmpty()).isTrue();
      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands()).hasSize(1).allSatisfy(c -> assertThat(c.deviceId()).isEqualTo(late));
    }
  }

  @Nested
  class Cancellation {

    @Test
    void shouldEmitNothingWhenCancelledBeforeDue() {
      threeContacts();
      ScheduleChange c = recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi");
      f.send(c);

      f.send(withActive(c, false, null));
      f.jump(Duration.between(f.now(), NINE.plusSeconds(60)));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(f.occurrences.isEmpty()).isTrue();
      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldCancelTimerWhenTheScheduleIsDeleted() {
      threeContacts();
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));

      f.send(ScheduleChange.delete("recurring:r1", ScheduleKind.RECURRING, 2));
      f.jump(Duration.between(f.now(), NINE.plusSeconds(60)));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldCancelTimerWhenTheTopicCarriesATombstone() {
      threeContacts();
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));

      f.changes.pipeInput("recurring:r1", null);

      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldStopAnUnfinishedFanOutWhenTheScheduleIsDeactivated() {
      List<String> phones = IntStream.range(0, 10_000).mapToObj(SchedulerFixture::phone).toList();
      ScheduleChange c = recurring("big", daily("09:00", "Europe/Berlin"), phones, "Hi");
      f.send(c);
      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands()).hasSize(2_000);

      f.send(withActive(c, false, null));
      f.advance(Duration.ofSeconds(5));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(f.occurrences.isEmpty()).isTrue();
      assertThat(f.fanOutCount()).isZero();
    }

    @Test
    void shouldNeverFireTheOldTimeWhenTheTimeChanges() {
      threeContacts();
      ScheduleChange c = recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi");
      f.send(c);

      f.send(withRule(c, daily("10:00", "Europe/Berlin")));
      assertThat(timerKeys())
          .containsExactly(new TimerKey(NINE.plusSeconds(3_600), "recurring:r1"));
      f.jump(Duration.between(f.now(), NINE.plusSeconds(120)));
      assertThat(f.commands.isEmpty()).isTrue();

      f.jump(Duration.between(f.now(), NINE.plusSeconds(3_600)));

      assertThat(f.commands())
          .hasSize(3)
          .extracting(SendCommand::occurrenceAt)
          .containsOnly(NINE.plusSeconds(3_600));
    }
  }

  @Nested
  class Broadcasts {

    @Test
    void shouldFireOnceWhenABroadcastIsForNow() {
      threeContacts();
      ScheduleChange b =
          withCreatedAt(
              change(
                  ScheduleKind.BROADCAST,
                  "b1",
                  RuleSpec.once(null),
                  contactIds(3),
                  "News",
                  true,
                  "pending"),
              f.now().minusSeconds(2));
      f.send(b);

      f.advance(Duration.ofMillis(250));

      List<SendCommand> commands = f.commands();
      assertThat(commands).hasSize(3);
      assertThat(commands.get(0).occurrenceAt())
          .isEqualTo(f.now().minusMillis(250).minusSeconds(2));
      assertThat(commands.get(0).notAfter())
          .isEqualTo(commands.get(0).occurrenceAt().plus(Duration.ofHours(24)));
      Occurrence occurrence = f.occurrences.readValue();
      assertThat(occurrence.finished()).isTrue();
      assertThat(occurrence.nextDueAt()).isNull();

      f.send(withActive(b, true, "processing"));
      f.send(withActive(b, true, "completed"));
      f.jump(Duration.ofDays(2));
      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(timerKeys()).isEmpty();
    }

    @Test
    void shouldFireAtItsTimeWhenABroadcastIsScheduled() {
      threeContacts();
      Instant at = Instant.parse("2026-06-01T12:00:00Z");
      f.send(
          change(
              ScheduleKind.BROADCAST,
              "b2",
              RuleSpec.once(at.toString()),
              contactIds(3),
              "Sale",
              true,
              "pending"));

      f.jump(Duration.between(f.now(), at.minusSeconds(1)));
      assertThat(f.commands.isEmpty()).isTrue();
      f.advance(Duration.ofSeconds(1));

      assertThat(f.commands()).hasSize(3).extracting(SendCommand::occurrenceAt).containsOnly(at);
      f.jump(Duration.ofDays(1));
      assertThat(f.commands.isEmpty()).isTrue();
    }

    @Test
    void shouldStopTheFanOutWhenTheBroadcastIsCancelled() {
      List<String> phones = IntStream.range(0, 10_000).mapToObj(SchedulerFixture::phone).toList();
      ScheduleChange b =
          withCreatedAt(
              change(
                  ScheduleKind.BROADCAST,
                  "b3",
                  RuleSpec.once(null),
                  phones,
                  "News",
                  true,
                  "pending"),
              f.now());
      f.send(b);
      f.advance(Duration.ofMillis(250));
      assertThat(f.commands()).hasSize(2_000);

      f.send(withActive(b, true, "cancelled"));
      f.advance(Duration.ofSeconds(3));

      assertThat(f.commands.isEmpty()).isTrue();
    }

    @Test
    void shouldDoNothingWhenTheBroadcastIsADraft() {
      threeContacts();
      f.send(
          withCreatedAt(
              change(
                  ScheduleKind.BROADCAST,
                  "b4",
                  RuleSpec.once(null),
                  contactIds(3),
                  "News",
                  false,
                  "draft"),
              f.now()));

      f.advance(Duration.ofSeconds(2));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(f.errors.isEmpty()).isTrue();
    }
  }

  @Nested
  class AutoPost {

    @Test
    void shouldFanOutToGroupsWhenAnAutoPostFires() {
      List<String> groups = List.of("120363012345678901@g.us", "120363099999999999@g.us");
      f.send(
          change(
              ScheduleKind.AUTOPOST,
              "a1",
              daily("09:00", "Europe/Berlin"),
              groups,
              "Daily post {date}",
              true,
              null));

      f.jump(Duration.between(f.now(), NINE));

      List<SendCommand> commands = f.commands();
      assertThat(commands).extracting(SendCommand::recipient).containsExactlyElementsOf(groups);
      assertThat(commands).extracting(SendCommand::recipientType).containsOnly(RecipientType.GROUP);
      assertThat(commands).extracting(SendCommand::text).containsOnly("Daily post 2026-06-01");
      assertThat(commands.get(0).commandId())
          .isEqualTo(CommandId.of("autopost:a1", NINE, groups.get(0)));
    }
  }

  @Nested
  class LargeFanOut {

    @Test
    void shouldSpreadTenThousandRecipientsOverTicksWhileAnotherTimerFiresOnTime() {
      List<String> phones = IntStream.range(0, 10_000).mapToObj(SchedulerFixture::phone).toList();
      f.send(recurring("big", daily("09:00", "Europe/Berlin"), phones, "Hi {phone}"));
      threeContacts();
      f.send(recurring("small", daily("09:00:01", "Europe/Berlin"), contactIds(3), "Hi"));
      f.jump(Duration.between(f.now(), NINE));

      List<SendCommand> all = new ArrayList<>(f.commands());
      assertThat(all).hasSize(2_000);
      int ticks = 1;
      boolean smallSeen = false;
      while (f.fanOutCount() > 0) {
        f.occurrences.readValuesToList();
        f.advance(Duration.ofMillis(250));
        ticks++;
        List<SendCommand> tick = f.commands();
        assertThat(tick.size()).isLessThanOrEqualTo(2_000);
        all.addAll(tick);
        if (!smallSeen && tick.stream().anyMatch(c -> c.scheduleKey().equals("recurring:small"))) {
          smallSeen = true;
          // The small schedule is due at 09:00:01 and fires in the first tick at or after it.
          assertThat(f.now()).isBetween(NINE.plusSeconds(1), NINE.plusMillis(1_250));
        }
        assertThat(ticks).isLessThan(50);
      }

      assertThat(smallSeen).isTrue();
      Set<CommandId> ids = new HashSet<>();
      all.forEach(c -> ids.add(c.commandId()));
      assertThat(ids).hasSize(10_003);
      assertThat(ticks).isGreaterThanOrEqualTo(5);
      assertThat(all.stream().filter(c -> c.scheduleKey().equals("recurring:big")))
          .extracting(SendCommand::text)
          .contains("Hi " + phone(0), "Hi " + phone(9_999));
    }
  }

  @Nested
  class OptOutDuringFanOut {

    @Test
    void shouldSkipAndCountContactWhenItOptsOutAfterTheOccurrenceFired() {
      List<String> phones = IntStream.range(0, 3_000).mapToObj(SchedulerFixture::phone).toList();
      String late = contactId(2_500);
      f.contact(late, phone(2_500), "Late Leaver", false);
      f.send(recurring("big", daily("09:00", "Europe/Berlin"), phones, "Hi {name}"));
      f.jump(Duration.between(f.now(), NINE));
      assertThat(f.commands()).hasSize(2_000);

      f.contact(late, phone(2_500), "Late Leaver", true);
      f.advance(Duration.ofMillis(250));

      List<SendCommand> rest = f.commands();
      assertThat(rest).hasSize(999).extracting(SendCommand::recipient).doesNotContain(phone(2_500));
      Occurrence occurrence = f.occurrences.readValue();
      assertThat(occurrence.recipientCount()).isEqualTo(3_000);
      assertThat(occurrence.skippedCount()).isEqualTo(1);
    }
  }

  @Nested
  class CatchUp {

    @Test
    void shouldFireOnlyTheLatestMissedOccurrenceWhenPolicyIsFireOnce() {
      threeContacts();
      f.send(
          recurring(
              "r1", dailyWithCatchUp("09:00", "Europe/Berlin", "fire_once"), contactIds(3), "Hi"));

      // One jump: the process was "down" for three days and comes back 30 minutes late.
      f.jump(Duration.between(f.now(), NINE.plus(Duration.ofDays(3)).plusSeconds(1_800)));

      List<SendCommand> commands = f.commands();
      assertThat(commands)
          .hasSize(3)
          .extracting(SendCommand::occurrenceAt)
          .containsOnly(NINE.plus(Duration.ofDays(3)));
      assertThat(timerKeys())
          .containsExactly(new TimerKey(NINE.plus(Duration.ofDays(4)), "recurring:r1"));
    }

    @Test
    void shouldFireNothingMissedWhenPolicyIsSkip() {
      threeContacts();
      f.send(
          recurring("r1", dailyWithCatchUp("09:00", "Europe/Berlin", "skip"), contactIds(3), "Hi"));

      f.jump(Duration.between(f.now(), NINE.plus(Duration.ofDays(3)).plusSeconds(1_800)));

      assertThat(f.commands.isEmpty()).isTrue();
      assertThat(timerKeys())
          .containsExactly(new TimerKey(NINE.plus(Duration.ofDays(4)), "recurring:r1"));
      f.jump(Duration.between(f.now(), NINE.plus(Duration.ofDays(4))));
      assertThat(f.commands()).hasSize(3);
    }
  }

  @Nested
  class PoisonRecords {

    @Test
    void shouldDeadLetterAPoisonRecordAndProcessTheNextOne() {
      threeContacts();
      f.rawChanges.pipeInput("recurring:poison", "{not json".getBytes(StandardCharsets.UTF_8));
      f.send(recurring("r1", daily("09:00", "Europe/Berlin"), contactIds(3), "Hi"));

      TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
      assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("recurring:poison");
      assertThat(
              new String(
                  dead.headers().lastHeader(Topics.DLQ_HEADER_TOPIC).value(),
                  StandardCharsets.UTF_8))
          .isEqualTo(Topics.SCHEDULE_CHANGES.name());
      assertThat(dead.headers().lastHeader(Topics.DLQ_HEADER_OFFSET)).isNotNull();
      assertThat(dead.headers().lastHeader(Topics.DLQ_HEADER_REASON)).isNotNull();
      assertThat(timerKeys()).containsExactly(new TimerKey(NINE, "recurring:r1"));
      assertThat(f.metrics.registry().get("herald.scheduler.dead.letters").counter().count())
          .isEqualTo(1.0);
    }
  }
}
