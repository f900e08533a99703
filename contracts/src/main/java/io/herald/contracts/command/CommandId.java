package io.herald.contracts.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Identity of one send: derived only from (schedule key, occurrence instant, recipient), so a
 * re-fire after a crash, a rebalance or clock skew yields the same id, and the sender's ledger
 * suppresses it. Hashed so the id never exposes a phone number in logs or tables.
 *
 * @param value {@code c1-} followed by 32 lower-case hex digits
 */
public record CommandId(String value) {

  private static final String PREFIX = "c1-";

  public CommandId {
    Objects.requireNonNull(value, "value");
  }

  /**
   * The command id of {@code recipient} in the occurrence of {@code scheduleKey} at {@code
   * occurrence}. The instant enters with nanosecond precision: two occurrences never collide.
   */
  public static CommandId of(String scheduleKey, Instant occurrence, String recipient) {
    Objects.requireNonNull(scheduleKey, "scheduleKey");
    Objects.requireNonNull(occurrence, "occurrence");
    Objects.requireNonNull(recipient, "recipient");
    // Length-prefixed fields: ("a:b", "c") and ("a", "b:c") must not hash alike.
    String canonical =
        scheduleKey.length()
            + ":"
            + scheduleKey
            + "|"
            + occurrence.getEpochSecond()
            + "."
            + occurrence.getNano()
            + "|"
            + recipient.length()
            + ":"
            + recipient;
    byte[] digest = sha256(canonical.getBytes(StandardCharsets.UTF_8));
    return new CommandId(PREFIX + HexFormat.of().formatHex(digest, 0, 16));
  }

  @JsonCreator
  public static CommandId parse(String value) {
    return new CommandId(value);
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
