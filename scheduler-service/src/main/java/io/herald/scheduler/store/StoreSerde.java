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
 * leading format byte, then {@link StoreCodecs} format 1. Internal state only; topic payloads
 * stay JSON contracts.
 *
 * <p>Values written before this format existed are JSON objects (first byte {@code '{'}) and are
 * still read, so a scheduler upgraded over an existing state dir or changelog keeps its
 * schedules; they are rewritten in the new format the next time the processor stores them.
 * Writes are always format 1. Any other first byte is refused with the type, topic and byte,
 * rather than guessed at.
 */
public final class StoreSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** The current (and first) binary format. */
  public static final byte FORMAT_V1 = 1;

  /** First byte of every value the former {@link JsonSerde} wrote. */
  static final byte LEGACY_JSON = '{';

  /** Typical encoded sizes (a schedule without recipients is ~200 bytes) fit without growing. */
  private static final int INITIAL_CAPACITY = 256;

  private final Class<T> type;
  private final StoreCodecs.Codec<T> codec;
  private final JsonSerde<T> legacy;

  private StoreSerde(Class<T> type, StoreCodecs.Codec<T> codec) {
    this.type = type;
    this.codec = codec;
    this.legacy = new JsonSerde<>(type);
  }

  public static StoreSerde<ScheduleState> scheduleState() {
    return new StoreSerde<>(ScheduleState.class, StoreCodecs.SCHEDULE_STATE);
  }

  public static StoreSerde<FanOutJob> fanOutJob() {
    return new StoreSerde<>(FanOutJob.class, StoreCodecs.FAN_OUT_JOB);
  }

  public static StoreSerde<RecipientChunk> recipientChunk() {
    return new StoreSerde<>(RecipientChunk.class, StoreCodecs.RECIPIENT_CHUNK);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null; // a delete stays a tombstone in the changelog
    }
    try {
      StoreCodecs.Out out = new StoreCodecs.Out(INITIAL_CAPACITY);
      out.byteValue(FORMAT_V1);
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
    if (format != FORMAT_V1) {
      throw new SerializationException(
          String.format(
              Locale.ROOT,
              "Cannot read %s from %s: unknown store format byte 0x%02x (this scheduler reads"
                  + " 0x%02x and legacy JSON '{'); was it written by a newer version?",
              type.getSimpleName(),
              topic,
              format & 0xFF,
              FORMAT_V1));
    }
    StoreCodecs.In in = new StoreCodecs.In(data, 1);
    T value;
    try {
      value = codec.read(in);
    } catch (RuntimeException e) {
      throw new SerializationException(
          String.format(
              Locale.ROOT,
              "Cannot read %s (format 1, %d bytes) from %s: %s",
              type.getSimpleName(),
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
              "Cannot read %s (format 1) from %s: %d trailing bytes after offset %d",
              type.getSimpleName(),
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
