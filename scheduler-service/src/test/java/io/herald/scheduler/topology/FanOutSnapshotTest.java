package io.herald.scheduler.topology;

import static io.herald.scheduler.topology.SchedulerFixture.contactId;
import static io.herald.scheduler.topology.SchedulerFixture.phone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.Occurrence;
import io.herald.scheduler.store.FanOutJob;
import io.herald.scheduler.store.RecipientChunk;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 §4, ADR 0016: an occurrence goes to the recipients and with the text it had when it
 * fired. Editing the text, or removing or adding a recipient, in the middle of a fan-out that needs
 * several ticks neither skips nor mixes recipients; the change applies from the next occurrence.
 */
class FanOutSnapshotTest {

  private static final Instant NINE = Instant.parse("2026-06-01T07:00:00Z");
  private static final int BUDGET = 2;
  private static final int RECIPIENTS = 7;

  @TempDir Path stateDir;
  private SchedulerFixture f;

  @BeforeEach
  void setUp() {
    f = new SchedulerFixture(stateDir, BUDGET, 50_000);
    f.device(SchedulerFixture.DEVICE, SchedulerFixture.TENANT);
    for (int i = 1; i <= RECIPIENTS + 2; i++) {
      f.contact(contactId(i), phone(i), "C" + i, false);
    }
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static List<String> contacts(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(SchedulerFixture::contactId).toList();
  }

  private static RuleSpec once(Instant at) {
    return new RuleSpec(
        "once",
        null,
        null,
        null,
        null,
        null,
        null,
        "Europe/Berlin",
        null,
        null,
        null,
        null,
        null,
        at.toString());
  }

  private static ScheduleChange broadcast(List<String> recipients, String text) {
    return SchedulerFixture.change(
        ScheduleKind.BROADCAST, "b1", once(NINE), recipients, text, true, "scheduled");
  }

  /** Fires the broadcast and stops after the first slice: the fan-out is in flight. */
  private List<SendCommand> fireAndStopMidway(ScheduleChange c) {
    f.send(c);
    f.advanceTo(NINE.plusMillis(250));
    List<SendCommand> first = new ArrayList<>(f.commands());
    assertThat(first).hasSizeBetween(1, RECIPIENTS - 3);
    assertThat(f.fanOutCount()).isOne();
    return first;
  }

  private List<SendCommand> finish(List<SendCommand> sofar) {
    f.advance(Duration.ofSeconds(5));
    List<SendCommand> all = new ArrayList<>(sofar);
    all.addAll(f.commands());
    assertThat(f.fanOutCount()).isZero();
    return all;
  }

  private static void assertExactlyOnceEach(List<SendCommand> all, List<String> expected) {
    assertThat(all)
        .extracting(SendCommand::contactId)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(all).extracting(c -> c.commandId().value()).doesNotHaveDuplicates();
    assertThat(all).extracting(SendCommand::occurrenceAt).containsOnly(NINE);
  }

  @Test
  void shouldSendTheTextAsItWasAtFiringWhenTheMessageIsEditedMidFanOut() {
    ScheduleChange c = broadcast(contacts(1, RECIPIENTS), "original {name}");
    List<SendCommand> sent = fireAndStopMidway(c);

    f.send(c.withMessage("edited {name}", null).withSourceVersion(2));
    List<SendCommand> all = finish(sent);

    assertExactlyOnceEach(all, contacts(1, RECIPIENTS));
    assertThat(all).allSatisfy(cmd -> assertThat(cmd.text()).startsWith("original C"));
    assertThat(all).extracting(SendCommand::mediaUrl).containsOnlyNulls();
    assertThat(f.occurrences.readValuesToList())
        .singleElement()
        .satisfies(o -> assertThat(o.recipientCount()).isEqualTo(RECIPIENTS));
  }

  @Test
  void shouldNeitherSkipNorRepeatWhenARecipientIsRemovedFromTheMiddle() {
    ScheduleChange c = broadcast(contacts(1, RECIPIENTS), "hello");
    List<SendCommand> sent = fireAndStopMidway(c);
    List<String> without4 = new ArrayList<>(contacts(1, RECIPIENTS));
    without4.remove(contactId(4));
    // Removing one before the cursor would shift every later index under it.
    without4.remove(contactId(1));

    f.send(c.withRecipients(without4).withSourceVersion(2));
    List<SendCommand> all = finish(sent);

    assertExactlyOnceEach(all, contacts(1, RECIPIENTS));
    assertThat(all).extracting(SendCommand::text).containsOnly("hello");
  }

  @Test
  void shouldNotSendToARecipientAddedMidFanOut() {
    ScheduleChange c = broadcast(contacts(1, RECIPIENTS), "hello");
    List<SendCommand> sent = fireAndStopMidway(c);
    List<String> more = new ArrayList<>(contacts(1, RECIPIENTS));
    more.add(0, contactId(RECIPIENTS + 1));
    more.add(contactId(RECIPIENTS + 2));

    f.send(c.withRecipients(more).withMessage("new text", null).withSourceVersion(2));
    List<SendCommand> all = finish(sent);

    assertExactlyOnceEach(all, contacts(1, RECIPIENTS));
    assertThat(all).extracting(SendCommand::text).containsOnly("hello");
  }

  @Test
  void shouldKeepWhatItFiredWithThroughSeveralEditsAndDropItsCopyWhenDone() {
    ScheduleChange c = broadcast(contacts(1, RECIPIENTS), "v1");
    List<SendCommand> sent = fireAndStopMidway(c);

    f.send(c.withMessage("v2", null).withSourceVersion(2));
    sent.addAll(f.commands());
    FanOutJob job = onlyJob();
    assertThat(job.frozen()).isTrue();
    assertThat(job.definition().message()).isEqualTo("v1");
    assertThat(job.recipientCount()).isEqualTo(RECIPIENTS);
    f.advance(Duration.ofMillis(250));
    sent.addAll(f.commands());
    f.send(c.withMessage("v3", null).withRecipients(contacts(2, 3)).withSourceVersion(3));
    List<SendCommand> all = finish(sent);

    assertExactlyOnceEach(all, contacts(1, RECIPIENTS));
    assertThat(all).extracting(SendCommand::text).containsOnly("v1");
    // Only the schedule's own (now 2-recipient) chunk is left: the job's copy went with it.
    assertThat(recipientChunks()).containsExactly(contacts(2, 3));
  }

  @Test
  void shouldFreezeEveryRunningOccurrenceOfTheScheduleWhenSeveralAreInFlight() {
    // Three missed days under fire_all: three occurrences queue as jobs behind each other.
    RuleSpec fireAll =
        new RuleSpec(
            "daily",
            1,
            null,
            null,
            "09:00",
            null,
            null,
            "Europe/Berlin",
            "2026-06-01",
            null,
            null,
            "fire_all",
            3 * 86_400,
            null);
    ScheduleChange c =
        SchedulerFixture.recurring("r1", fireAll, contacts(1, RECIPIENTS), "before {name}");
    f.send(c);
    f.jump(Duration.between(f.now(), NINE.plus(Duration.ofDays(2)).plusSeconds(60)));
    List<SendCommand> sent = new ArrayList<>(f.commands());
    assertThat(f.fanOutCount()).isEqualTo(3);

    f.send(c.withMessage("after {name}", null).withRecipients(contacts(3, 4)).withSourceVersion(2));
    f.advance(Duration.ofSeconds(10));
    sent.addAll(f.commands());

    assertThat(f.fanOutCount()).isZero();
    assertThat(sent).hasSize(3 * RECIPIENTS);
    assertThat(sent).extracting(cmd -> cmd.commandId().value()).doesNotHaveDuplicates();
    assertThat(sent).allSatisfy(cmd -> assertThat(cmd.text()).startsWith("before C"));
    for (int day = 0; day < 3; day++) {
      Instant occurrence = NINE.plus(Duration.ofDays(day));
      assertThat(sent)
          .filteredOn(cmd -> cmd.occurrenceAt().equals(occurrence))
          .extracting(SendCommand::contactId)
          .containsExactlyInAnyOrderElementsOf(contacts(1, RECIPIENTS));
    }
    assertThat(recipientChunks()).containsExactly(contacts(3, 4));
  }

  @Test
  void shouldFinishOnTheDeviceItFiredWithWhenAnEditMovesItToADeviceNotYetKnown() {
    ScheduleChange c = broadcast(contacts(1, RECIPIENTS), "hello");
    List<SendCommand> sent = fireAndStopMidway(c);

    // Held until the new device is known: the hold concerns the next occurrence, not this one.
    f.send(
        SchedulerFixture.withDevice(c, "33333333-3333-4333-8333-333333333333")
            .withMessage("moved", null)
            .withSourceVersion(2));
    List<SendCommand> all = finish(sent);

    assertExactlyOnceEach(all, contacts(1, RECIPIENTS));
    assertThat(all).extracting(SendCommand::text).containsOnly("hello");
    assertThat(all).extracting(SendCommand::deviceId).containsOnly(SchedulerFixture.DEVICE);
    assertThat(f.occurrences.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldStopTheOccurrenceWhenTheScheduleIsDeletedMidFanOut() {
    ScheduleChange c = broadcast(contacts(1, RECIPIENTS), "hello");
    List<SendCommand> sent = fireAndStopMidway(c);
    f.send(c.withMessage("edited", null).withSourceVersion(2)); // frozen first

    f.changes.pipeInput(c.scheduleKey(), null, f.now());
    f.advance(Duration.ofSeconds(5));

    assertThat(f.commands()).isEmpty();
    assertThat(f.occurrences.readValuesToList()).isEmpty();
    assertThat(f.fanOutCount()).isZero();
    assertThat(recipientChunks()).isEmpty();
    assertThat(sent).isNotEmpty();
  }

  @Test
  void shouldApplyTheEditToTheNextOccurrence() {
    ScheduleChange c =
        SchedulerFixture.recurring(
            "r1",
            SchedulerFixture.daily("09:00", "Europe/Berlin"),
            contacts(1, RECIPIENTS),
            "day one");
    List<SendCommand> sent = fireAndStopMidway(c);
    f.send(c.withMessage("day two", null).withRecipients(contacts(2, 3)).withSourceVersion(2));
    List<SendCommand> first = finish(sent);
    assertThat(first).hasSize(RECIPIENTS).extracting(SendCommand::text).containsOnly("day one");

    f.advanceTo(NINE.plus(Duration.ofDays(1)).plusSeconds(2));

    assertThat(f.commands())
        .extracting(SendCommand::contactId, SendCommand::text)
        .containsExactlyInAnyOrder(tuple(contactId(2), "day two"), tuple(contactId(3), "day two"));
    assertThat(f.occurrences.readValuesToList())
        .extracting(Occurrence::recipientCount)
        .containsExactly(RECIPIENTS, 2);
  }

  private FanOutJob onlyJob() {
    try (KeyValueIterator<String, FanOutJob> it = f.fanouts().all()) {
      FanOutJob job = it.next().value;
      assertThat(it.hasNext()).isFalse();
      return job;
    }
  }

  private List<List<String>> recipientChunks() {
    KeyValueStore<String, RecipientChunk> store = f.driver.getKeyValueStore(Names.RECIPIENTS_STORE);
    List<List<String>> out = new ArrayList<>();
    try (KeyValueIterator<String, RecipientChunk> it = store.all()) {
      it.forEachRemaining(kv -> out.add(kv.value.recipients()));
    }
    return out;
  }
}
