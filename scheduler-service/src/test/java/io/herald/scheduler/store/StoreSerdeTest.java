package io.herald.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreSerdeTest {

  private static final String TOPIC = "herald-scheduler-schedules-changelog";

  /** The bench's schedule: a scheduled broadcast, once, message "Hello from the bench". */
  static final ScheduleState TYPICAL =
      new ScheduleState(
          new Definition(
              "broadcast:7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f",
              ScheduleKind.BROADCAST,
              "bench-tenant",
              "00000000-0000-4000-8000-000000000042",
              "bench 7f1c2d3e",
              "Hello from the bench",
              null,
              List.of(),
              RuleSpec.once("2026-06-01T07:00:30.500Z"),
              PacingSpec.none(),
              true,
              "scheduled",
              1L,
              Instant.parse("2026-06-01T07:00:00.123456789Z"),
              List.of()),
          1,
          ScheduleStatus.ARMED,
          Instant.parse("2026-06-01T07:00:30.500Z"),
          null,
          0,
          1,
          null);

  /**
   * Format 1 of {@link #TYPICAL} (its definition then the wire {@code ScheduleChange}, schema
   * version 1, op upsert), as the previous scheduler wrote it, frozen: running deployments have
   * these bytes in their state dirs and changelogs.
   */
  private static final String TYPICAL_V1_HEX =
      "0107ff3e02015c62726f6164636173743a37663163326433652d346235612d346336642d386539662d3061"
          + "31623263336434653566021862656e63682d74656e616e744830303030303030302d303030302d3430"
          + "30302d383030302d3030303030303030303034321c62656e63682037663163326433652848656c6c6f"
          + "2066726f6d207468652062656e6368008149086f6e6365065554430230323032362d30362d30315430"
          + "373a30303a33302e3530305a070c6d616e75616c000001127363686564756c656402e0b7e9a10d959a"
          + "ef3a0002019cb8e9a10d80cab5ee010002";

  /**
   * Format 2 of {@link #TYPICAL}, frozen: a change here breaks every existing state dir. It is
   * format 1 without the definition's schema version and op (bytes {@code 02 01}), its presence
   * bits shifted down by the op's bit ({@code ff3e} → {@code bf1f}).
   */
  private static final String TYPICAL_V2_HEX =
      "0207bf1f5c62726f6164636173743a37663163326433652d346235612d346336642d386539662d3061"
          + "31623263336434653566021862656e63682d74656e616e744830303030303030302d303030302d3430"
          + "30302d383030302d3030303030303030303034321c62656e63682037663163326433652848656c6c6f"
          + "2066726f6d207468652062656e6368008149086f6e6365065554430230323032362d30362d30315430"
          + "373a30303a33302e3530305a070c6d616e75616c000001127363686564756c656402e0b7e9a10d959a"
          + "ef3a0002019cb8e9a10d80cab5ee010002";

  /** {@link #TYPICAL} as the former JsonSerde store wrote it. */
  private static final String TYPICAL_LEGACY_JSON =
      "{\"definition\":{\"schemaVersion\":1,\"op\":\"upsert\",\"scheduleKey\":"
          + "\"broadcast:7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f\",\"kind\":\"broadcast\","
          + "\"tenantId\":\"bench-tenant\",\"deviceId\":\"00000000-0000-4000-8000-000000000042\","
          + "\"name\":\"bench 7f1c2d3e\",\"message\":\"Hello from the bench\",\"recipients\":[],"
          + "\"rule\":{\"frequency\":\"once\",\"timezone\":\"UTC\",\"maxExecutions\":1,"
          + "\"scheduledAt\":\"2026-06-01T07:00:30.500Z\"},\"pacing\":{\"delayType\":\"manual\","
          + "\"delaySeconds\":0,\"randomizeDelay\":false},\"active\":true,"
          + "\"sourceStatus\":\"scheduled\",\"sourceVersion\":1,"
          + "\"createdAt\":\"2026-06-01T07:00:00.123456789Z\",\"mappingErrors\":[]},"
          + "\"generation\":1,\"status\":\"ARMED\",\"timerDue\":\"2026-06-01T07:00:30.500Z\","
          + "\"executionCount\":0,\"recipientCount\":1}";

  private final StoreSerde<ScheduleState> states = StoreSerde.scheduleState();

  @Nested
  class Format {

    @Test
    void shouldWriteTheFrozenFormat2BytesWhenEncodingTheTypicalSchedule() {
      byte[] bytes = states.serialize(TOPIC, TYPICAL);

      assertThat(hex(bytes)).isEqualTo(TYPICAL_V2_HEX);
      assertThat(states.deserialize(TOPIC, unhex(TYPICAL_V2_HEX))).isEqualTo(TYPICAL);
    }

    @Test
    void shouldReadTheFrozenFormat1BytesIntoTheSchedulersOwnDefinition() {
      assertThat(states.deserialize(TOPIC, unhex(TYPICAL_V1_HEX))).isEqualTo(TYPICAL);
    }

    @Test
    void shouldRewriteFormat1InFormat2() {
      ScheduleState old = states.deserialize(TOPIC, unhex(TYPICAL_V1_HEX));

      assertThat(hex(states.serialize(TOPIC, old))).isEqualTo(TYPICAL_V2_HEX);
    }

    @Test
    void shouldReadAFormat1SkeletonCutFromADelete() {
      // A delete set aside stored the skeleton of the delete: op DELETE, key, kind and version.
      ScheduleState skeleton =
          new ScheduleState(
              new Definition(
                  "recurring:1",
                  ScheduleKind.RECURRING,
                  null,
                  null,
                  null,
                  null,
                  null,
                  List.of(),
                  null,
                  null,
                  false,
                  null,
                  9L,
                  null,
                  List.of()),
              2,
              ScheduleStatus.INVALID,
              null,
              null,
              0,
              0,
              null);
      // format 1; state presence: definition, status; definition presence: op, key, kind,
      // recipients; schema version 1, op DELETE (2), key, kind RECURRING (1), no recipients,
      // active false, version 9, no mapping errors; generation 2, INVALID, 0 executions and
      // recipients.
      String v1 =
          "0103"
              + "8702"
              + "02"
              + "02"
              + "16"
              + hex("recurring:1".getBytes(StandardCharsets.US_ASCII))
              + "01"
              + "00"
              + "00"
              + "12"
              + "00"
              + "04"
              + "05"
              + "00"
              + "00";

      assertThat(states.deserialize(TOPIC, unhex(v1))).isEqualTo(skeleton);
    }

    @Test
    void shouldRefuseAFormat1DefinitionWithAnUnknownOp() {
      String v1 =
          "0103"
              + "8702"
              + "02"
              + "2a"
              + "16"
              + hex("recurring:1".getBytes(StandardCharsets.US_ASCII))
              + "01"
              + "00"
              + "00"
              + "12"
              + "00"
              + "04"
              + "05"
              + "00"
              + "00";

      assertThatThrownBy(() -> states.deserialize(TOPIC, unhex(v1)))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("format 1")
          .hasMessageContaining("unknown ChangeOp code 42");
    }

    @Test
    void shouldReadLegacyJsonWhenTheFirstByteIsABrace() {
      byte[] json = TYPICAL_LEGACY_JSON.getBytes(StandardCharsets.UTF_8);

      assertThat(states.deserialize(TOPIC, json)).isEqualTo(TYPICAL);
    }

    @Test
    void shouldRewriteLegacyJsonInFormat2() {
      ScheduleState legacy =
          states.deserialize(TOPIC, TYPICAL_LEGACY_JSON.getBytes(StandardCharsets.UTF_8));

      assertThat(states.serialize(TOPIC, legacy)[0]).isEqualTo(StoreSerde.FORMAT_V2);
    }

    @Test
    void shouldReadLegacyJsonFanOutJobAndRecipientChunk() {
      byte[] job =
          ("{\"scheduleKey\":\"recurring:1\",\"occurrence\":\"2026-06-01T07:00:00Z\","
                  + "\"firedAt\":\"2026-06-01T07:00:00.250Z\",\"cursor\":1000,\"skipped\":3,"
                  + "\"executionCount\":7,\"finished\":false}")
              .getBytes(StandardCharsets.UTF_8);
      byte[] chunk =
          "{\"recipients\":[\"+4915000000001\",\"c-1\"]}".getBytes(StandardCharsets.UTF_8);

      assertThat(StoreSerde.fanOutJob().deserialize(TOPIC, job))
          .isEqualTo(
              new FanOutJob(
                  "recurring:1",
                  Instant.parse("2026-06-01T07:00:00Z"),
                  Instant.parse("2026-06-01T07:00:00.250Z"),
                  1000,
                  3,
                  7,
                  null,
                  false));
      assertThat(StoreSerde.recipientChunk().deserialize(TOPIC, chunk))
          .isEqualTo(new RecipientChunk(List.of("+4915000000001", "c-1")));
    }

    @Test
    void shouldReadFormat1FanOutJobsAndChunksWhoseLayoutDidNotChange() {
      FanOutJob job =
          new FanOutJob(
              "recurring:1",
              Instant.parse("2026-06-01T07:00:00Z"),
              Instant.parse("2026-06-01T07:00:00.250Z"),
              1000,
              3,
              7,
              null,
              false);
      RecipientChunk chunk = new RecipientChunk(List.of("+4915000000001", "c-1"));
      StoreCodecs.Out out = new StoreCodecs.Out(64);
      out.byteValue(StoreSerde.FORMAT_V2);
      StoreCodecs.FAN_OUT_JOB_V2.write(out, job);
      byte[] jobBytes = out.toByteArray();
      byte[] chunkBytes = StoreSerde.recipientChunk().serialize(TOPIC, chunk);
      assertThat(chunkBytes[0]).isEqualTo(StoreSerde.FORMAT_V2);
      assertThat(StoreSerde.fanOutJob().deserialize(TOPIC, jobBytes)).isEqualTo(job);
      jobBytes[0] = StoreSerde.FORMAT_V1;
      chunkBytes[0] = StoreSerde.FORMAT_V1;

      assertThat(StoreSerde.fanOutJob().deserialize(TOPIC, jobBytes)).isEqualTo(job);
      assertThat(StoreSerde.recipientChunk().deserialize(TOPIC, chunkBytes)).isEqualTo(chunk);
    }

    @Test
    void shouldWriteAFrozenFanOutJobInFormat3WithTheDefinitionItFiredWith() {
      FanOutJob running =
          new FanOutJob(
              "broadcast:1",
              Instant.parse("2026-06-01T07:00:00Z"),
              Instant.parse("2026-06-01T07:00:00.250Z"),
              2000,
              3,
              1,
              null,
              true);
      FanOutJob frozen = running.freeze(TYPICAL.definition(), 4321);
      StoreSerde<FanOutJob> jobs = StoreSerde.fanOutJob();

      byte[] bytes = jobs.serialize(TOPIC, frozen);

      assertThat(bytes[0]).isEqualTo(StoreSerde.FORMAT_V3);
      assertThat(jobs.deserialize(TOPIC, bytes))
          .isEqualTo(frozen)
          .satisfies(j -> assertThat(j.frozen()).isTrue());
      assertThat(jobs.deserialize(TOPIC, jobs.serialize(TOPIC, running)))
          .isEqualTo(running)
          .satisfies(j -> assertThat(j.frozen()).isFalse());
    }

    @Test
    void shouldKeepFormat3ForTheFanoutsStoreOnly() {
      byte[] bytes = states.serialize(TOPIC, TYPICAL);
      bytes[0] = StoreSerde.FORMAT_V3;
      byte[] job =
          StoreSerde.fanOutJob()
              .serialize(
                  TOPIC,
                  new FanOutJob("broadcast:1", Instant.EPOCH, Instant.EPOCH, 0, 0, 1, null, true));
      job[0] = 4;

      assertThatThrownBy(() -> states.deserialize(TOPIC, bytes))
          .hasMessageContaining("unknown store format byte 0x03")
          .hasMessageContaining("reads 0x02, 0x01");
      assertThatThrownBy(() -> StoreSerde.fanOutJob().deserialize(TOPIC, job))
          .hasMessageContaining("unknown store format byte 0x04")
          .hasMessageContaining("reads 0x03, 0x02, 0x01");
    }

    @Test
    void shouldKeepTombstonesNull() {
      assertThat(states.serialize(TOPIC, null)).isNull();
      assertThat(states.deserialize(TOPIC, null)).isNull();
    }

    @Test
    void shouldBeAThirdOfTheJsonSizeForTheTypicalSchedule() {
      assertThat(states.serialize(TOPIC, TYPICAL).length)
          .isLessThan(TYPICAL_LEGACY_JSON.length() / 3 + 1);
    }
  }

  @Nested
  class Corruption {

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x03, 0x7f, 0x80, 0xff, '['})
    void shouldRefuseWithTheByteWhenTheFormatIsUnknown(int first) {
      byte[] bytes = states.serialize(TOPIC, TYPICAL);
      bytes[0] = (byte) first;

      assertThatThrownBy(() -> states.deserialize(TOPIC, bytes))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("ScheduleState")
          .hasMessageContaining(TOPIC)
          .hasMessageContaining(String.format("unknown store format byte 0x%02x", first));
    }

    @Test
    void shouldRefuseAnEmptyValue() {
      assertThatThrownBy(() -> states.deserialize(TOPIC, new byte[0]))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("empty value");
    }

    @Test
    void shouldRefuseTrailingBytes() {
      byte[] bytes = states.serialize(TOPIC, TYPICAL);
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

      assertThatThrownBy(() -> states.deserialize(TOPIC, longer))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("2 trailing bytes");
    }

    @Test
    void shouldRefuseAnUnknownEnumCode() {
      ScheduleState deleted =
          new ScheduleState(null, 0, ScheduleStatus.DELETED, null, null, 0, 0, null);
      byte[] bytes = states.serialize(TOPIC, deleted);
      // format, presence (status only), generation 0, then the status code
      assertThat(bytes[3]).isEqualTo((byte) StoreCodecs.statusCode(ScheduleStatus.DELETED));
      bytes[3] = 42;

      assertThatThrownBy(() -> states.deserialize(TOPIC, bytes))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("unknown ScheduleStatus code 42");
    }

    @Test
    void shouldRefuseBrokenJsonAsJsonError() {
      byte[] bytes = "{\"generation\":".getBytes(StandardCharsets.UTF_8);

      assertThatThrownBy(() -> states.deserialize(TOPIC, bytes))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("Cannot read ScheduleState");
    }
  }

  @Nested
  class DriftGuard {

    /**
     * Fails when a component is added to, removed from or reordered in a record the store format
     * encodes: the codec would otherwise drop it silently (a convenience constructor with the old
     * arity still compiles).
     */
    @Test
    void shouldCoverEveryComponentOfEveryEncodedRecord() {
      for (Class<?> type : reachableRecords()) {
        List<String> actual =
            Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
        List<String> covered = StoreCodecs.ENCODED_COMPONENTS.get(type);

        assertThat(covered)
            .as(
                "%s is stored in the scheduler's state stores but StoreCodecs does not encode it:"
                    + " add a codec for it and list it in StoreCodecs.ENCODED_COMPONENTS",
                type.getName())
            .isNotNull();
        assertThat(actual)
            .as(
                "%s now has components %s but StoreCodecs format %d encodes %s. Encode the"
                    + " change in StoreCodecs (old state needs a new format byte whose reader"
                    + " fills defaults), then update StoreCodecs.ENCODED_COMPONENTS",
                type.getName(), actual, StoreSerde.FORMAT_V2, covered)
            .isEqualTo(covered);
      }
    }

    @Test
    void shouldNotListRecordsThatAreNoLongerStored() {
      Set<Class<?>> listed = new HashSet<>(StoreCodecs.ENCODED_COMPONENTS.keySet());

      assertThat(listed).containsExactlyInAnyOrderElementsOf(reachableRecords());
    }

    @Test
    void shouldGiveEveryEnumConstantADistinctCodeThatReadsBack() {
      assertCodes(ScheduleStatus.values(), StoreCodecs::statusCode, StoreCodecs::status);
      assertCodes(ChangeOp.values(), StoreCodecs::opCode, StoreCodecs::op);
      assertCodes(ScheduleKind.values(), StoreCodecs::kindCode, StoreCodecs::kind);
    }

    private <E extends Enum<E>> void assertCodes(
        E[] values, ToIntFunction<E> code, IntFunction<E> read) {
      Set<Integer> seen = new HashSet<>();
      for (E e : values) {
        int c = code.applyAsInt(e);
        assertThat(seen.add(c)).as("code %d of %s is used twice", c, e).isTrue();
        assertThat(c).as("code of %s fits the one byte it is written in", e).isBetween(0, 255);
        assertThat(read.apply(c)).isEqualTo(e);
      }
    }

    /** Records reachable from the three store values through components and list elements. */
    private Set<Class<?>> reachableRecords() {
      Set<Class<?>> seen = new LinkedHashSet<>();
      Deque<Class<?>> todo =
          new ArrayDeque<>(List.of(ScheduleState.class, FanOutJob.class, RecipientChunk.class));
      while (!todo.isEmpty()) {
        Class<?> type = todo.pop();
        if (!seen.add(type)) {
          continue;
        }
        for (RecordComponent c : type.getRecordComponents()) {
          for (Type t : typesIn(c.getGenericType())) {
            if (t instanceof Class<?> k && k.isRecord()) {
              todo.push(k);
            }
          }
        }
      }
      return seen;
    }

    private List<Type> typesIn(Type t) {
      if (t instanceof ParameterizedType p) {
        List<Type> all = new java.util.ArrayList<>(List.of(p.getRawType()));
        for (Type arg : p.getActualTypeArguments()) {
          all.addAll(typesIn(arg));
        }
        return all;
      }
      return List.of(t);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(String.format("%02x", b & 0xFF));
    }
    return sb.toString();
  }

  private static byte[] unhex(String hex) {
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
