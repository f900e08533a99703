package io.herald.scheduler.store;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Binary format 2 of the values of the {@code schedules}, {@code fanouts} and {@code recipients}
 * stores, and format 3 of {@code fanouts} ({@link #FAN_OUT_JOB}) (the format byte itself is {@link
 * StoreSerde}'s; what format 1 wrote differently is read by {@link Format1}). Every timer firing
 * reads and rewrites a schedule, so this is on the stream thread's hot path: with Jackson these
 * values were its largest CPU cost (~38 % in a CDC-latency profile), and field names tripled the
 * changelog bytes.
 *
 * <p>Layout of one record: a presence bitmask (varint; bit {@code i} set = the {@code i}-th
 * nullable component, in declaration order, is present), then the components in declaration order,
 * absent ones omitted. Primitives: {@code int}/{@code long}/{@code Integer} as zig-zag varints;
 * booleans as one byte 0/1; an {@link Instant} as zig-zag varint epoch seconds plus varint nanos
 * (the full {@code Instant.MIN..MAX} range); a string as varint {@code (byteLength << 1) | wtf8}
 * then its UTF-8 bytes; a list as a varint count then its elements (list elements are never null:
 * the records' constructors copy them with {@code List.copyOf}).
 *
 * <p>Enums are written as explicit one-byte codes from the tables below, not as ordinals (a
 * reordered constant would silently change meaning on disk) and not as names (a rename would make
 * old state unreadable, and a name costs up to 15 bytes). The write side is an exhaustive {@code
 * switch}, so a new constant does not compile until it has a code; codes are never reused.
 *
 * <p>A string holding an unpaired surrogate (possible from a {@code \\uD800} escape in a directly
 * produced JSON change, never from PostgreSQL text) is not valid Unicode, so plain UTF-8 would turn
 * it into {@code ?}. Such a string is written in WTF-8 (the surrogate as its own 3-byte sequence)
 * and flagged, so every Java string round-trips; all other strings are plain UTF-8.
 *
 * <p><b>Evolution.</b> The layout is an on-disk and changelog format. Changing the components of an
 * encoded record needs a new format byte, and a reader of the old layout that builds today's record
 * (format 1 stored the wire {@code ScheduleChange} as the definition; format 2 stores the
 * scheduler's own {@link Definition}, without payload version and op). {@link #ENCODED_COMPONENTS}
 * lists what this version covers and a test fails when a record drifts.
 */
final class StoreCodecs {

  /** The component names, in order, that format 2 writes for each encoded record. */
  static final Map<Class<? extends Record>, List<String>> ENCODED_COMPONENTS =
      Map.of(
          ScheduleState.class,
          List.of(
              "definition",
              "generation",
              "status",
              "timerDue",
              "lastFiredOccurrence",
              "executionCount",
              "recipientCount",
              "awaitingDeviceSince"),
          Definition.class,
          List.of(
              "scheduleKey",
              "kind",
              "tenantId",
              "deviceId",
              "name",
              "message",
              "mediaUrl",
              "recipients",
              "rule",
              "pacing",
              "active",
              "sourceStatus",
              "sourceVersion",
              "createdAt",
              "mappingErrors",
              "template",
              "windowPolicy"),
          MessageTemplate.class,
          List.of("name", "language", "components"),
          MessageTemplate.Component.class,
          List.of("type", "subType", "index", "parameters"),
          MessageTemplate.Parameter.class,
          List.of("type", "text", "link"),
          RuleSpec.class,
          List.of(
              "frequency",
              "intervalValue",
              "intervalUnit",
              "cronExpression",
              "timeOfDay",
              "daysOfWeek",
              "dayOfMonth",
              "timezone",
              "startDate",
              "endDate",
              "maxExecutions",
              "catchUp",
              "catchUpGraceSeconds",
              "scheduledAt"),
          PacingSpec.class,
          List.of(
              "delayType",
              "delaySeconds",
              "randomizeDelay",
              "batchSize",
              "pauseBetweenBatchesSeconds"),
          FanOutJob.class,
          List.of(
              "scheduleKey",
              "occurrence",
              "firedAt",
              "cursor",
              "skipped",
              "executionCount",
              "nextDueAt",
              "finished",
              "definition",
              "recipientCount"),
          RecipientChunk.class,
          List.of("recipients"));

  private StoreCodecs() {}

  /** Reads one record type, without the format byte: all an older format still needs. */
  interface Reader<T> {
    T read(In in);
  }

  /** Writes and reads one record type, without the format byte. */
  interface Codec<T> extends Reader<T> {
    void write(Out out, T value);
  }

  // ---- ScheduleState ------------------------------------------------------------------------

  static final Codec<ScheduleState> SCHEDULE_STATE =
      new Codec<>() {
        @Override
        public void write(Out out, ScheduleState s) {
          out.presence(
              s.definition(),
              s.status(),
              s.timerDue(),
              s.lastFiredOccurrence(),
              s.awaitingDeviceSince());
          if (s.definition() != null) {
            writeDefinition(out, s.definition());
          }
          out.varLong(s.generation());
          if (s.status() != null) {
            out.code(statusCode(s.status()));
          }
          out.instantIfPresent(s.timerDue());
          out.instantIfPresent(s.lastFiredOccurrence());
          out.varLong(s.executionCount());
          out.varInt(s.recipientCount());
          out.instantIfPresent(s.awaitingDeviceSince());
        }

        @Override
        public ScheduleState read(In in) {
          return readScheduleState(in, StoreCodecs::readDefinition);
        }
      };

  /**
   * A {@link ScheduleState}, its definition read by {@code definitions}: the state's own layout is
   * the same in formats 1 and 2, only the definition's differs.
   */
  static ScheduleState readScheduleState(In in, Reader<Definition> definitions) {
    int p = in.presence(5);
    Definition definition = has(p, 0) ? definitions.read(in) : null;
    long generation = in.varLong();
    ScheduleStatus status = has(p, 1) ? status(in.code()) : null;
    Instant timerDue = has(p, 2) ? in.instant() : null;
    Instant lastFired = has(p, 3) ? in.instant() : null;
    long executionCount = in.varLong();
    int recipientCount = in.varInt();
    Instant awaitingDeviceSince = has(p, 4) ? in.instant() : null;
    return new ScheduleState(
        definition,
        generation,
        status,
        timerDue,
        lastFired,
        executionCount,
        recipientCount,
        awaitingDeviceSince);
  }

  // ---- FanOutJob ----------------------------------------------------------------------------

  /**
   * Format 3 of a {@link FanOutJob} (ADR 0016): format 2's layout with a fifth presence bit, the
   * frozen definition (same layout as a schedule's) and its recipient count appended. Only the
   * {@code fanouts} store writes format 3; its format 1 and 2 values are read by {@link
   * #FAN_OUT_JOB_V2} as jobs that are not frozen.
   */
  static final Codec<FanOutJob> FAN_OUT_JOB =
      new Codec<>() {
        @Override
        public void write(Out out, FanOutJob j) {
          out.presence(j.scheduleKey(), j.occurrence(), j.firedAt(), j.nextDueAt(), j.definition());
          writeJobHead(out, j);
          if (j.definition() != null) {
            writeDefinition(out, j.definition());
          }
          out.varInt(j.recipientCount());
        }

        @Override
        public FanOutJob read(In in) {
          int p = in.presence(5);
          FanOutJob head = readJobHead(in, p);
          Definition definition = has(p, 4) ? readDefinition(in) : null;
          int recipientCount = in.varInt();
          return head.freeze(definition, recipientCount);
        }
      };

  /** Formats 1 and 2 of a {@link FanOutJob}: never frozen. Written by tests only. */
  static final Codec<FanOutJob> FAN_OUT_JOB_V2 =
      new Codec<>() {
        @Override
        public void write(Out out, FanOutJob j) {
          out.presence(j.scheduleKey(), j.occurrence(), j.firedAt(), j.nextDueAt());
          writeJobHead(out, j);
        }

        @Override
        public FanOutJob read(In in) {
          return readJobHead(in, in.presence(4));
        }
      };

  private static void writeJobHead(Out out, FanOutJob j) {
    out.stringIfPresent(j.scheduleKey());
    out.instantIfPresent(j.occurrence());
    out.instantIfPresent(j.firedAt());
    out.varInt(j.cursor());
    out.varInt(j.skipped());
    out.varLong(j.executionCount());
    out.instantIfPresent(j.nextDueAt());
    out.bool(j.finished());
  }

  private static FanOutJob readJobHead(In in, int p) {
    String scheduleKey = has(p, 0) ? in.string() : null;
    Instant occurrence = has(p, 1) ? in.instant() : null;
    Instant firedAt = has(p, 2) ? in.instant() : null;
    int cursor = in.varInt();
    int skipped = in.varInt();
    long executionCount = in.varLong();
    Instant nextDueAt = has(p, 3) ? in.instant() : null;
    boolean finished = in.bool();
    return new FanOutJob(
        scheduleKey, occurrence, firedAt, cursor, skipped, executionCount, nextDueAt, finished);
  }

  // ---- RecipientChunk -----------------------------------------------------------------------

  static final Codec<RecipientChunk> RECIPIENT_CHUNK =
      new Codec<>() {
        @Override
        public void write(Out out, RecipientChunk c) {
          // No nullable component: the constructor turns a null list into an empty one.
          out.strings(c.recipients());
        }

        @Override
        public RecipientChunk read(In in) {
          return new RecipientChunk(in.strings());
        }
      };

  // ---- nested contract records --------------------------------------------------------------

  private static void writeDefinition(Out out, Definition d) {
    out.presence(
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
        d.sourceStatus(),
        d.createdAt(),
        d.template(),
        d.windowPolicy());
    out.stringIfPresent(d.scheduleKey());
    if (d.kind() != null) {
      out.code(kindCode(d.kind()));
    }
    out.stringIfPresent(d.tenantId());
    out.stringIfPresent(d.deviceId());
    out.stringIfPresent(d.name());
    out.stringIfPresent(d.message());
    out.stringIfPresent(d.mediaUrl());
    if (d.recipients() != null) {
      out.strings(d.recipients());
    }
    if (d.rule() != null) {
      writeRule(out, d.rule());
    }
    if (d.pacing() != null) {
      writePacing(out, d.pacing());
    }
    out.bool(d.active());
    out.stringIfPresent(d.sourceStatus());
    out.varLong(d.sourceVersion());
    out.instantIfPresent(d.createdAt());
    // Never null: the constructor always builds a list.
    out.strings(d.mappingErrors());
    if (d.template() != null) {
      TemplateCodec.write(out, d.template());
    }
    if (d.windowPolicy() != null) {
      out.code(TemplateCodec.policyCode(d.windowPolicy()));
    }
  }

  private static Definition readDefinition(In in) {
    int p = in.presence(14);
    String scheduleKey = has(p, 0) ? in.string() : null;
    ScheduleKind kind = has(p, 1) ? kind(in.code()) : null;
    String tenantId = has(p, 2) ? in.string() : null;
    String deviceId = has(p, 3) ? in.string() : null;
    String name = has(p, 4) ? in.string() : null;
    String message = has(p, 5) ? in.string() : null;
    String mediaUrl = has(p, 6) ? in.string() : null;
    List<String> recipients = has(p, 7) ? in.strings() : null;
    RuleSpec rule = has(p, 8) ? readRule(in) : null;
    PacingSpec pacing = has(p, 9) ? readPacing(in) : null;
    boolean active = in.bool();
    String sourceStatus = has(p, 10) ? in.string() : null;
    long sourceVersion = in.varLong();
    Instant createdAt = has(p, 11) ? in.instant() : null;
    List<String> mappingErrors = in.strings();
    MessageTemplate template = has(p, 12) ? TemplateCodec.read(in) : null;
    WindowPolicy windowPolicy = has(p, 13) ? TemplateCodec.policy(in.code()) : null;
    return new Definition(
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        recipients,
        rule,
        pacing,
        active,
        sourceStatus,
        sourceVersion,
        createdAt,
        mappingErrors,
        template,
        windowPolicy);
  }

  static void writeRule(Out out, RuleSpec r) {
    out.presence(
        r.frequency(),
        r.intervalValue(),
        r.intervalUnit(),
        r.cronExpression(),
        r.timeOfDay(),
        r.daysOfWeek(),
        r.dayOfMonth(),
        r.timezone(),
        r.startDate(),
        r.endDate(),
        r.maxExecutions(),
        r.catchUp(),
        r.catchUpGraceSeconds(),
        r.scheduledAt());
    out.stringIfPresent(r.frequency());
    out.intIfPresent(r.intervalValue());
    out.stringIfPresent(r.intervalUnit());
    out.stringIfPresent(r.cronExpression());
    out.stringIfPresent(r.timeOfDay());
    if (r.daysOfWeek() != null) {
      out.count(r.daysOfWeek().size());
      for (Integer d : r.daysOfWeek()) {
        out.varInt(d);
      }
    }
    out.intIfPresent(r.dayOfMonth());
    out.stringIfPresent(r.timezone());
    out.stringIfPresent(r.startDate());
    out.stringIfPresent(r.endDate());
    out.intIfPresent(r.maxExecutions());
    out.stringIfPresent(r.catchUp());
    out.intIfPresent(r.catchUpGraceSeconds());
    out.stringIfPresent(r.scheduledAt());
  }

  static RuleSpec readRule(In in) {
    int p = in.presence(14);
    String frequency = has(p, 0) ? in.string() : null;
    Integer intervalValue = has(p, 1) ? in.varInt() : null;
    String intervalUnit = has(p, 2) ? in.string() : null;
    String cronExpression = has(p, 3) ? in.string() : null;
    String timeOfDay = has(p, 4) ? in.string() : null;
    List<Integer> daysOfWeek = null;
    if (has(p, 5)) {
      int n = in.count();
      Integer[] days = new Integer[n];
      for (int i = 0; i < n; i++) {
        days[i] = in.varInt();
      }
      daysOfWeek = Arrays.asList(days);
    }
    Integer dayOfMonth = has(p, 6) ? in.varInt() : null;
    String timezone = has(p, 7) ? in.string() : null;
    String startDate = has(p, 8) ? in.string() : null;
    String endDate = has(p, 9) ? in.string() : null;
    Integer maxExecutions = has(p, 10) ? in.varInt() : null;
    String catchUp = has(p, 11) ? in.string() : null;
    Integer catchUpGraceSeconds = has(p, 12) ? in.varInt() : null;
    String scheduledAt = has(p, 13) ? in.string() : null;
    return new RuleSpec(
        frequency,
        intervalValue,
        intervalUnit,
        cronExpression,
        timeOfDay,
        daysOfWeek,
        dayOfMonth,
        timezone,
        startDate,
        endDate,
        maxExecutions,
        catchUp,
        catchUpGraceSeconds,
        scheduledAt);
  }

  static void writePacing(Out out, PacingSpec p) {
    out.presence(
        p.delayType(),
        p.delaySeconds(),
        p.randomizeDelay(),
        p.batchSize(),
        p.pauseBetweenBatchesSeconds());
    out.stringIfPresent(p.delayType());
    out.intIfPresent(p.delaySeconds());
    if (p.randomizeDelay() != null) {
      out.bool(p.randomizeDelay());
    }
    out.intIfPresent(p.batchSize());
    out.intIfPresent(p.pauseBetweenBatchesSeconds());
  }

  static PacingSpec readPacing(In in) {
    int p = in.presence(5);
    String delayType = has(p, 0) ? in.string() : null;
    Integer delaySeconds = has(p, 1) ? in.varInt() : null;
    Boolean randomizeDelay = has(p, 2) ? in.bool() : null;
    Integer batchSize = has(p, 3) ? in.varInt() : null;
    Integer pause = has(p, 4) ? in.varInt() : null;
    return new PacingSpec(delayType, delaySeconds, randomizeDelay, batchSize, pause);
  }

  static boolean has(int presence, int bit) {
    return (presence & (1 << bit)) != 0;
  }

  // ---- enum codes: append only, never reuse a code ------------------------------------------

  static int statusCode(ScheduleStatus s) {
    return switch (s) {
      case ARMED -> 1;
      case FINISHED -> 2;
      case INACTIVE -> 3;
      case AWAITING_DEVICE -> 4;
      case INVALID -> 5;
      case DELETED -> 6;
    };
  }

  static ScheduleStatus status(int code) {
    return switch (code) {
      case 1 -> ScheduleStatus.ARMED;
      case 2 -> ScheduleStatus.FINISHED;
      case 3 -> ScheduleStatus.INACTIVE;
      case 4 -> ScheduleStatus.AWAITING_DEVICE;
      case 5 -> ScheduleStatus.INVALID;
      case 6 -> ScheduleStatus.DELETED;
      default -> throw unknownCode("ScheduleStatus", code);
    };
  }

  static int opCode(ChangeOp op) {
    return switch (op) {
      case UPSERT -> 1;
      case DELETE -> 2;
    };
  }

  static ChangeOp op(int code) {
    return switch (code) {
      case 1 -> ChangeOp.UPSERT;
      case 2 -> ChangeOp.DELETE;
      default -> throw unknownCode("ChangeOp", code);
    };
  }

  static int kindCode(ScheduleKind kind) {
    return switch (kind) {
      case RECURRING -> 1;
      case BROADCAST -> 2;
      case AUTOPOST -> 3;
    };
  }

  static ScheduleKind kind(int code) {
    return switch (code) {
      case 1 -> ScheduleKind.RECURRING;
      case 2 -> ScheduleKind.BROADCAST;
      case 3 -> ScheduleKind.AUTOPOST;
      default -> throw unknownCode("ScheduleKind", code);
    };
  }

  private static SerializationException unknownCode(String type, int code) {
    return new SerializationException(
        "unknown " + type + " code " + code + " (written by a newer scheduler, or corrupt)");
  }

  // ---- primitives ---------------------------------------------------------------------------

  /** A growing output buffer; one per serialized value, not shared. */
  static final class Out {
    private byte[] buf;
    private int pos;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, pos);
    }

    void presence(Object... components) {
      int mask = 0;
      for (int i = 0; i < components.length; i++) {
        if (components[i] != null) {
          mask |= 1 << i;
        }
      }
      rawVarInt(mask);
    }

    void code(int code) {
      byteValue(code);
    }

    void byteValue(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void bool(boolean b) {
      byteValue(b ? 1 : 0);
    }

    void varInt(int v) {
      rawVarInt((v << 1) ^ (v >> 31));
    }

    void varLong(long v) {
      rawVarLong((v << 1) ^ (v >> 63));
    }

    void intIfPresent(Integer v) {
      if (v != null) {
        varInt(v);
      }
    }

    void instantIfPresent(Instant t) {
      if (t != null) {
        varLong(t.getEpochSecond());
        rawVarInt(t.getNano());
      }
    }

    void stringIfPresent(String s) {
      if (s != null) {
        string(s);
      }
    }

    void count(int n) {
      rawVarInt(n);
    }

    void strings(List<String> list) {
      count(list.size());
      for (String s : list) {
        string(s);
      }
    }

    void string(String s) {
      if (asciiString(s)) {
        return;
      }
      boolean wtf8 = hasUnpairedSurrogate(s);
      byte[] utf8 = wtf8 ? wtf8(s) : s.getBytes(StandardCharsets.UTF_8);
      rawVarInt(utf8.length << 1 | (wtf8 ? 1 : 0));
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buf, pos, utf8.length);
      pos += utf8.length;
    }

    private void rawVarInt(int v) {
      ensure(5);
      while ((v & ~0x7F) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    private void rawVarLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    private void ensure(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    /**
     * Writes s if it is pure ASCII (keys, ids, numbers, zones, most texts): its UTF-8 length is
     * then known up front and it is copied without an intermediate array; else writes nothing.
     */
    private boolean asciiString(String s) {
      int n = s.length();
      int start = pos;
      rawVarInt(n << 1);
      ensure(n);
      byte[] b = buf;
      int p = pos;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          pos = start;
          return false;
        }
        b[p + i] = (byte) c;
      }
      pos = p + n;
      return true;
    }

    private static boolean hasUnpairedSurrogate(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return true;
        }
      }
      return false;
    }

    /** UTF-8, except that an unpaired surrogate becomes its own 3-byte sequence. */
    private static byte[] wtf8(String s) {
      byte[] out = new byte[s.length() * 3];
      int n = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          out[n++] = (byte) c;
        } else if (c < 0x800) {
          out[n++] = (byte) (0xC0 | (c >> 6));
          out[n++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          out[n++] = (byte) (0xF0 | (cp >> 18));
          out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          out[n++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          out[n++] = (byte) (0xE0 | (c >> 12));
          out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          out[n++] = (byte) (0x80 | (c & 0x3F));
        }
      }
      return Arrays.copyOf(out, n);
    }
  }

  /** Reads one value; every read checks bounds, so truncated data fails instead of wrapping. */
  static final class In {
    private final byte[] buf;
    private int pos;

    In(byte[] buf, int offset) {
      this.buf = buf;
      this.pos = offset;
    }

    int position() {
      return pos;
    }

    int remaining() {
      return buf.length - pos;
    }

    /** The presence bitmask of a record with {@code nullable} nullable components. */
    int presence(int nullable) {
      int mask = rawVarInt();
      if (mask >>> nullable != 0) {
        throw new SerializationException(
            "presence bits 0x"
                + Integer.toHexString(mask)
                + " before offset "
                + pos
                + " name more than "
                + nullable
                + " nullable components");
      }
      return mask;
    }

    int code() {
      return byteValue() & 0xFF;
    }

    byte byteValue() {
      if (pos >= buf.length) {
        throw truncated();
      }
      return buf[pos++];
    }

    boolean bool() {
      byte b = byteValue();
      if (b != 0 && b != 1) {
        throw new SerializationException("boolean byte " + b + " at offset " + (pos - 1));
      }
      return b == 1;
    }

    int varInt() {
      int raw = rawVarInt();
      return (raw >>> 1) ^ -(raw & 1);
    }

    long varLong() {
      long raw = rawVarLong();
      return (raw >>> 1) ^ -(raw & 1);
    }

    Instant instant() {
      long seconds = varLong();
      int nanos = rawVarInt();
      try {
        return Instant.ofEpochSecond(seconds, nanos);
      } catch (RuntimeException e) {
        throw new SerializationException(
            "instant out of range (" + seconds + " s, " + nanos + " ns) before offset " + pos);
      }
    }

    /** A list length, checked against the bytes left (each element takes at least one). */
    int count() {
      int n = rawVarInt();
      if (n < 0 || n > remaining()) {
        throw new SerializationException(
            "list length "
                + n
                + " at offset "
                + pos
                + " exceeds the "
                + remaining()
                + " bytes left");
      }
      return n;
    }

    List<String> strings() {
      int n = count();
      List<String> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(string());
      }
      return list;
    }

    String string() {
      int header = rawVarInt();
      int len = header >>> 1;
      if (len > remaining()) {
        throw new SerializationException(
            "string of "
                + len
                + " bytes at offset "
                + pos
                + " exceeds the "
                + remaining()
                + " bytes left");
      }
      String s =
          (header & 1) == 0
              ? new String(buf, pos, len, StandardCharsets.UTF_8)
              : fromWtf8(buf, pos, len);
      pos += len;
      return s;
    }

    private int rawVarInt() {
      int v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        byte b = byteValue();
        v |= (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new SerializationException("varint longer than 5 bytes before offset " + pos);
    }

    private long rawVarLong() {
      long v = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        byte b = byteValue();
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new SerializationException("varlong longer than 10 bytes before offset " + pos);
    }

    private SerializationException truncated() {
      return new SerializationException("truncated: needed more than " + buf.length + " bytes");
    }

    /** Inverse of {@link Out#wtf8}: decodes 1- to 4-byte sequences without validating them. */
    private static String fromWtf8(byte[] b, int off, int len) {
      StringBuilder sb = new StringBuilder(len);
      int i = off;
      int end = off + len;
      while (i < end) {
        int c = b[i] & 0xFF;
        int need = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        if (i + need >= end) {
          throw new SerializationException("truncated WTF-8 sequence at offset " + i);
        }
        switch (need) {
          case 0 -> sb.append((char) c);
          case 1 -> sb.append((char) ((c & 0x1F) << 6 | (b[i + 1] & 0x3F)));
          case 2 ->
              sb.append((char) ((c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F)));
          default ->
              sb.appendCodePoint(
                  (c & 0x07) << 18
                      | (b[i + 1] & 0x3F) << 12
                      | (b[i + 2] & 0x3F) << 6
                      | (b[i + 3] & 0x3F));
        }
        i += need + 1;
      }
      return sb.toString();
    }
  }
}
