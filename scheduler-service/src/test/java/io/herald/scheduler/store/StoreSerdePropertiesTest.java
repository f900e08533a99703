package io.herald.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.serde.JsonSerde;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Round trips of the binary store format over random values: every nullable component absent or
 * present, empty and non-BMP strings, unpaired surrogates, {@code Instant.MIN} and {@code MAX};
 * former JSON values still read; any truncation of a valid value fails loudly.
 */
class StoreSerdePropertiesTest {

  private static final String TOPIC = "herald-scheduler-schedules-changelog";

  private final StoreSerde<ScheduleState> states = StoreSerde.scheduleState();
  private final StoreSerde<FanOutJob> jobs = StoreSerde.fanOutJob();
  private final StoreSerde<RecipientChunk> chunks = StoreSerde.recipientChunk();

  @Property(tries = 2000)
  void shouldRoundTripScheduleStateWhenAnyComponentIsNullOrExtreme(
      @ForAll("scheduleStates") ScheduleState state) {
    byte[] bytes = states.serialize(TOPIC, state);

    assertThat(bytes[0]).isEqualTo(StoreSerde.FORMAT_V2);
    assertThat(states.deserialize(TOPIC, bytes)).isEqualTo(state);
  }

  @Property(tries = 2000)
  void shouldReadFormat1IntoTheDefinitionTheTopologyWouldHaveMade(
      @ForAll("formerStates") FormerState former) {
    byte[] bytes = FormerState.format1(former);

    assertThat(states.deserialize(TOPIC, bytes)).isEqualTo(former.converted());
  }

  @Property(tries = 1000)
  void shouldRoundTripFanOutJob(@ForAll("fanOutJobs") FanOutJob job) {
    assertThat(jobs.deserialize(TOPIC, jobs.serialize(TOPIC, job))).isEqualTo(job);
  }

  @Property(tries = 1000)
  void shouldWriteFanOutJobsInFormat3(@ForAll("fanOutJobs") FanOutJob job) {
    assertThat(jobs.serialize(TOPIC, job)[0]).isEqualTo(StoreSerde.FORMAT_V3);
  }

  @Property(tries = 1000)
  void shouldReadFormat1And2FanOutJobsAsJobsThatAreNotFrozen(
      @ForAll("unfrozenFanOutJobs") FanOutJob job) {
    // What a scheduler before ADR 0016 left in the fanouts store and its changelog.
    StoreCodecs.Out out = new StoreCodecs.Out(64);
    out.byteValue(StoreSerde.FORMAT_V2);
    StoreCodecs.FAN_OUT_JOB_V2.write(out, job);
    byte[] v2 = out.toByteArray();
    byte[] v1 = v2.clone();
    v1[0] = StoreSerde.FORMAT_V1;

    assertThat(jobs.deserialize(TOPIC, v2))
        .isEqualTo(job)
        .satisfies(j -> assertThat(j.frozen()).isFalse());
    assertThat(jobs.deserialize(TOPIC, v1)).isEqualTo(job);
  }

  @Property(tries = 300)
  void shouldRefuseEveryTruncationOfAFanOutJob(@ForAll("fanOutJobs") FanOutJob job) {
    byte[] bytes = jobs.serialize(TOPIC, job);
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> jobs.deserialize(TOPIC, cut))
          .as("prefix of %d of %d bytes", len, bytes.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("FanOutJob");
    }
  }

  @Property(tries = 1000)
  void shouldRoundTripRecipientChunk(@ForAll("recipientChunks") RecipientChunk chunk) {
    assertThat(chunks.deserialize(TOPIC, chunks.serialize(TOPIC, chunk))).isEqualTo(chunk);
  }

  @Property(tries = 1000)
  void shouldReadLegacyJsonScheduleStateAsEqualObject(
      @ForAll("jsonSafeFormerStates") FormerState former) {
    // The former JSON store wrote the state with the wire ScheduleChange as its definition.
    byte[] json = new JsonSerde<>(FormerState.class).serialize(TOPIC, former);

    assertThat(json[0]).isEqualTo((byte) '{');
    assertThat(states.deserialize(TOPIC, json)).isEqualTo(former.converted());
  }

  @Property(tries = 500)
  void shouldReadLegacyJsonFanOutJobAndChunkAsEqualObjects(
      @ForAll("jsonSafeFanOutJobs") FanOutJob job,
      @ForAll("jsonSafeRecipientChunks") RecipientChunk chunk) {
    byte[] jobJson = new JsonSerde<>(FanOutJob.class).serialize(TOPIC, job);
    byte[] chunkJson = new JsonSerde<>(RecipientChunk.class).serialize(TOPIC, chunk);

    assertThat(jobs.deserialize(TOPIC, jobJson)).isEqualTo(job);
    assertThat(chunks.deserialize(TOPIC, chunkJson)).isEqualTo(chunk);
  }

  @Property(tries = 300)
  void shouldRefuseEveryTruncationOfAValidValue(@ForAll("scheduleStates") ScheduleState state) {
    byte[] bytes = states.serialize(TOPIC, state);
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> states.deserialize(TOPIC, cut))
          .as("prefix of %d of %d bytes", len, bytes.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("ScheduleState");
    }
  }

  // ---- generators ---------------------------------------------------------------------------

  @Provide
  Arbitrary<ScheduleState> scheduleStates() {
    return scheduleStates(strings(true), instants(true));
  }

  @Provide
  Arbitrary<FormerState> formerStates() {
    return formerStates(strings(true), instants(true));
  }

  @Provide
  Arbitrary<FormerState> jsonSafeFormerStates() {
    // Jackson refuses to write unpaired surrogates and the ISO form of far years: the former JSON
    // store only ever held what it could write, so only that needs to be readable.
    return formerStates(strings(false), instants(false));
  }

  @Provide
  Arbitrary<FanOutJob> fanOutJobs() {
    Arbitrary<String> strings = strings(true);
    Arbitrary<Instant> instants = instants(true);
    // Frozen or not (ADR 0016): format 3 carries the definition the job fired with.
    return Combinators.combine(
            fanOutJobs(strings, instants),
            definitions(strings, instants).injectNull(0.5),
            Arbitraries.integers())
        .as((job, fired, count) -> job.freeze(fired, count));
  }

  @Provide
  Arbitrary<FanOutJob> unfrozenFanOutJobs() {
    return fanOutJobs(strings(true), instants(true));
  }

  @Provide
  Arbitrary<FanOutJob> jsonSafeFanOutJobs() {
    return fanOutJobs(strings(false), instants(false));
  }

  @Provide
  Arbitrary<RecipientChunk> recipientChunks() {
    return strings(true).list().ofMaxSize(50).injectNull(0.05).map(RecipientChunk::new);
  }

  @Provide
  Arbitrary<RecipientChunk> jsonSafeRecipientChunks() {
    return strings(false).list().ofMaxSize(50).map(RecipientChunk::new);
  }

  private static Arbitrary<ScheduleState> scheduleStates(
      Arbitrary<String> strings, Arbitrary<Instant> instants) {
    return Combinators.combine(
            definitions(strings, instants).injectNull(0.2),
            Arbitraries.longs(),
            Arbitraries.of(ScheduleStatus.class).injectNull(0.1),
            instants.injectNull(0.3),
            instants.injectNull(0.3),
            Arbitraries.longs(),
            Arbitraries.integers(),
            instants.injectNull(0.5))
        .as(ScheduleState::new);
  }

  /** Today's definitions: a change's, with a template and a window policy or not (ADR 0021). */
  private static Arbitrary<Definition> definitions(
      Arbitrary<String> strings, Arbitrary<Instant> instants) {
    Arbitrary<String> nullable = strings.injectNull(0.3);
    Arbitrary<MessageTemplate.Parameter> parameters =
        Combinators.combine(nullable, nullable, nullable).as(MessageTemplate.Parameter::new);
    Arbitrary<MessageTemplate.Component> components =
        Combinators.combine(
                nullable,
                nullable,
                Arbitraries.integers().injectNull(0.5),
                parameters.list().ofMaxSize(3))
            .as(MessageTemplate.Component::new);
    Arbitrary<MessageTemplate> templates =
        Combinators.combine(nullable, nullable, components.list().ofMaxSize(3))
            .as(MessageTemplate::new);
    return Combinators.combine(
            changes(strings, instants).map(FormerState::definitionOf),
            templates.injectNull(0.5),
            Arbitraries.of(WindowPolicy.class).injectNull(0.5))
        .as(
            (d, t, p) ->
                new Definition(
                    d.scheduleKey(),
                    d.kind(),
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
                    d.mappingErrors(),
                    t,
                    p));
  }

  private static Arbitrary<FormerState> formerStates(
      Arbitrary<String> strings, Arbitrary<Instant> instants) {
    return Combinators.combine(
            changes(strings, instants).injectNull(0.2),
            Arbitraries.longs(),
            Arbitraries.of(ScheduleStatus.class).injectNull(0.1),
            instants.injectNull(0.3),
            instants.injectNull(0.3),
            Arbitraries.longs(),
            Arbitraries.integers(),
            instants.injectNull(0.5))
        .as(FormerState::new);
  }

  private static Arbitrary<FanOutJob> fanOutJobs(
      Arbitrary<String> strings, Arbitrary<Instant> instants) {
    return Combinators.combine(
            strings.injectNull(0.2),
            instants.injectNull(0.2),
            instants.injectNull(0.2),
            Arbitraries.integers(),
            Arbitraries.integers(),
            Arbitraries.longs(),
            instants.injectNull(0.3),
            Arbitraries.of(true, false))
        .as(FanOutJob::new);
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<ScheduleChange> changes(
      Arbitrary<String> strings, Arbitrary<Instant> instants) {
    Arbitrary<String> nullable = strings.injectNull(0.3);
    // Lists with null entries on purpose: the constructor turns them into mapping errors, and the
    // decoded value must equal the normalised one.
    Arbitrary<List<String>> list = strings.injectNull(0.05).list().ofMaxSize(5);
    List<Arbitrary<Object>> parts =
        List.of(
            any(Arbitraries.integers()),
            any(Arbitraries.of(ChangeOp.class).injectNull(0.1)),
            any(nullable),
            any(Arbitraries.of(ScheduleKind.class).injectNull(0.1)),
            any(nullable),
            any(nullable),
            any(nullable),
            any(nullable),
            any(nullable),
            any(list.injectNull(0.3)),
            any(rules(strings).injectNull(0.2)),
            any(pacings(strings).injectNull(0.2)),
            any(Arbitraries.of(true, false)),
            any(nullable),
            any(Arbitraries.longs()),
            any(instants.injectNull(0.3)),
            any(list.injectNull(0.3)));
    return Combinators.combine(parts)
        .as(
            v ->
                new ScheduleChange(
                    (Integer) v.get(0),
                    (ChangeOp) v.get(1),
                    (String) v.get(2),
                    (ScheduleKind) v.get(3),
                    (String) v.get(4),
                    (String) v.get(5),
                    (String) v.get(6),
                    (String) v.get(7),
                    (String) v.get(8),
                    (List<String>) v.get(9),
                    (RuleSpec) v.get(10),
                    (PacingSpec) v.get(11),
                    (Boolean) v.get(12),
                    (String) v.get(13),
                    (Long) v.get(14),
                    (Instant) v.get(15),
                    (List<String>) v.get(16)));
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<RuleSpec> rules(Arbitrary<String> strings) {
    Arbitrary<Object> s = any(strings.injectNull(0.4));
    Arbitrary<Object> i = any(Arbitraries.integers().injectNull(0.4));
    Arbitrary<Object> days = any(Arbitraries.integers().list().ofMaxSize(7).injectNull(0.4));
    return Combinators.combine(List.of(s, i, s, s, s, days, i, s, s, s, i, s, i, s))
        .as(
            v ->
                new RuleSpec(
                    (String) v.get(0),
                    (Integer) v.get(1),
                    (String) v.get(2),
                    (String) v.get(3),
                    (String) v.get(4),
                    (List<Integer>) v.get(5),
                    (Integer) v.get(6),
                    (String) v.get(7),
                    (String) v.get(8),
                    (String) v.get(9),
                    (Integer) v.get(10),
                    (String) v.get(11),
                    (Integer) v.get(12),
                    (String) v.get(13)));
  }

  private static Arbitrary<PacingSpec> pacings(Arbitrary<String> strings) {
    Arbitrary<Integer> i = Arbitraries.integers().injectNull(0.4);
    return Combinators.combine(
            strings.injectNull(0.4), i, Arbitraries.of(true, false).injectNull(0.4), i, i)
        .as(PacingSpec::new);
  }

  /** Empty, ASCII, accents, Arabic, emoji (non-BMP) and, if asked, unpaired surrogates. */
  private static Arbitrary<String> strings(boolean withLoneSurrogates) {
    Arbitrary<String> unicodeText =
        Arbitraries.strings()
            .withCharRange('\u0000', '\u07ff')
            .withCharRange('\u0900', '\u0fff')
            .withCharRange('\ue000', '\uffff')
            .ofMaxLength(30);
    Arbitrary<String> emoji =
        Arbitraries.of("😀", "👍🏽", "𝄞", "家族👨‍👩‍👧", "+4915000000001", "Hello from the bench");
    Arbitrary<String> base =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.strings().ascii().ofMaxLength(60),
            unicodeText,
            emoji,
            Combinators.combine(unicodeText, emoji).as(String::concat));
    if (!withLoneSurrogates) {
      return base;
    }
    Arbitrary<String> broken =
        Arbitraries.of("\ud800", "x\udc00y", "\udbff\ud800", "😀\ud83d", "\ude00😀");
    return Arbitraries.oneOf(base, base, base, broken, Arbitraries.strings().all().ofMaxLength(8));
  }

  private static Arbitrary<Instant> instants(boolean extreme) {
    long min = extreme ? Instant.MIN.getEpochSecond() : -2_208_988_800L; // 1900
    long max = extreme ? Instant.MAX.getEpochSecond() : 32_503_680_000L; // 3000
    Arbitrary<Instant> any =
        Combinators.combine(
                Arbitraries.longs().between(min, max),
                Arbitraries.integers().between(0, 999_999_999))
            .as(Instant::ofEpochSecond);
    Arbitrary<Instant> near =
        Arbitraries.longs()
            .between(1_600_000_000_000L, 2_000_000_000_000L)
            .map(Instant::ofEpochMilli);
    Arbitrary<Instant> edges =
        extreme
            ? Arbitraries.of(
                Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.ofEpochSecond(-1, 999_999_999))
            : Arbitraries.of(Instant.EPOCH, Instant.ofEpochSecond(-1, 999_999_999));
    return Arbitraries.oneOf(any, near, edges);
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<Object> any(Arbitrary<?> a) {
    return (Arbitrary<Object>) a;
  }
}
