package io.herald.scheduler.store;

import io.herald.contracts.serde.JsonSerde;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value serde of the {@code schedules}, {@code fanouts} and {@code recipients} stores: a
 * leading format byte, then {@link StoreCodecs} format 2 (format 3 for {@code fanouts}, whose jobs
 * may carry the definition they fired with: ADR 0016). Internal state only; topic payloads stay
 * JSON contracts.
 *
 * <p>Writes are always the store's current format. Older values are still read, so a scheduler upgraded over an
 * existing state dir or changelog keeps its schedules; each is rewritten in format 2 the next time
 * the processor stores it:
 *
 * <ul>
 *   <li>format 1 ({@link Format1}): a schedule's definition was the wire {@code ScheduleChange};
 *       it is read into a {@link io.herald.scheduler.schedule.Definition}. The other two stores'
 *       values are laid out alike in both formats.
 *   <li>JSON objects (first byte {@code '{'}), written before the binary format existed: read by
 *       component name, which {@code Definition} shares with {@code ScheduleChange} (the
 *       former's extra {@code schemaVersion} and {@code op} are ignored).
 * </ul>
 *
 * Any other first byte is refused with the type, topic and byte, rather than guessed at.
 */
public final class StoreSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** The first binary format: a schedule's definition was the wire {@code ScheduleChange}. */
  public static final byte FORMAT_V1 = 1;

  /** The current binary format: a schedule's definition is the scheduler's own. */
  public static final byte FORMAT_V2 = 2;

  /**
   * The {@code fanouts} store's format since ADR 0016: a job may carry the definition it fired
   * with. The other stores still write format 2, and read 3 as unknown.
   */
  public static final byte FORMAT_V3 = 3;

  /** First byte of every value the former {@link JsonSerde} wrote. */
  static final byte LEGACY_JSON = '{';

  /** Typical encoded sizes (a schedule without recipients is ~200 bytes) fit without growing. */
  private static final int INITIAL_CAPACITY = 256;

  private final Class<T> type;
  private final byte writeFormat;
  private final StoreCodecs.Codec<T> codec;
  private final StoreCodecs.Reader<T> format2;
  private final StoreCodecs.Reader<T> format1;
  private final JsonSerde<T> legacy;

  private StoreSerde(Class<T> type, StoreCodecs.Codec<T> codec, StoreCodecs.Reader<T> format1) {
    this(type, FORMAT_V2, codec, codec, format1);
  }

  /**
   * @param writeFormat the format byte {@code codec} writes and reads
   * @param format2 reads format 2 (the codec itself when {@code writeFormat} is 2)
   */
  private StoreSerde(
      Class<T> type,
      byte writeFormat,
      StoreCodecs.Codec<T> codec,
      StoreCodecs.Reader<T> format2,
      StoreCodecs.Reader<T> format1) {
    this.type = type;
    this.writeFormat = writeFormat;
    this.codec = codec;
    this.format2 = format2;
    this.format1 = format1;
    this.legacy = new JsonSerde<>(type);
  }

  public static StoreSerde<ScheduleState> scheduleState() {
    return new StoreSerde<>(
        ScheduleState.class, StoreCodecs.SCHEDULE_STATE, Format1.SCHEDULE_STATE);
  }

  public static StoreSerde<FanOutJob> fanOutJob() {
    return new StoreSerde<>(
        FanOutJob.class,
        FORMAT_V3,
        StoreCodecs.FAN_OUT_JOB,
        StoreCodecs.FAN_OUT_JOB_V2,
        StoreCodecs.FAN_OUT_JOB_V2);
  }

  public static StoreSerde<RecipientChunk> recipientChunk() {
    return new StoreSerde<>(
        RecipientChunk.class, StoreCodecs.RECIPIENT_CHUNK, StoreCodecs.RECIPIENT_CHUNK);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null; // a delete stays a tombstone in the changelog
    }
    try {
      StoreCodecs.Out out = new StoreCodecs.Out(INITIAL_CAPACITY);
      out.byteValue(writeFormat);
      codec.write(out, data);
      return out.toByteArray();
    } catch (RuntimeException e) {
      throw new SerializationException(
          "Cannot write " + type.getSimpleName() + " for " + topic + ": " + e, e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0) {
      throw new SerializationException(
          "Cannot read " + type.getSimpleName() + " from " + topic + ": empty value");
    }
    byte format = data[0];
    if (format == LEGACY_JSON) {
      return legacy.deserialize(topic, data);
    }
    StoreCodecs.Reader<T> reader;
    if (format == writeFormat) {
      reader = codec;
    } else if (format == FORMAT_V2) {
      reader = format2;
    } else if (format == FORMAT_V1) {
      reader = format1;
    } else {
      throw new SerializationException(
          String.format(
              Locale.ROOT,
              "Cannot read %s from %s: unknown store format byte 0x%02x (this scheduler reads"
                  + " %s0x%02x, 0x%02x and legacy JSON '{'); was it written by a newer version?",
              type.getSimpleName(),
              topic,
              format & 0xFF,
              writeFormat == FORMAT_V2 ? "" : String.format(Locale.ROOT, "0x%02x, ", writeFormat),
              FORMAT_V2,
              FORMAT_V1));
    }
    StoreCodecs.In in = new StoreCodecs.In(data, 1);
    T value;
    try {
      value = reader.read(in);
    } catch (RuntimeException e) {
      throw new SerializationException(
          String.format(
              Locale.ROOT,
              "Cannot read %s (format %d, %d bytes) from %s: %s",
              type.getSimpleName(),
              format,
              data.length,
              topic,
              e.getMessage()),
          e);
    }
    if (in.remaining() != 0) {
      // A value that decodes but leaves bytes over is corrupt (or of another layout).
      throw new SerializationException(
          String.format(
              Locale.ROOT,
              "Cannot read %s (format %d) from %s: %d trailing bytes after offset %d",
              type.getSimpleName(),
              format,
              topic,
              in.remaining(),
              in.position()));
    }
    return value;
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}
}
