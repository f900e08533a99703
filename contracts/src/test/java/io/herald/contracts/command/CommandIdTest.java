package io.herald.contracts.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.contracts.serde.Json;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandIdTest {

  static final String KEY = "recurring:42";
  static final Instant AT = Instant.parse("2025-03-01T08:00:00Z");
  static final String PHONE = "+6281234567890";

  /**
   * Pinned: a change of the derivation changes every id, and the sender's ledger would then send
   * every pending occurrence again. If this fails, the change is a new id version ("c2-"), not an
   * edit of "c1-".
   */
  static final String PINNED = "c1-ac41c6e56cbb58a7232e4e519ac54d43";

  @Test
  void shouldMatchPinnedValueWhenDerivationIsUnchanged() {
    assertThat(CommandId.of(KEY, AT, PHONE).value()).isEqualTo(PINNED);
  }

  @Test
  void shouldReturnSameIdWhenInputsAreEqualButDistinctObjects() {
    CommandId a = CommandId.of(KEY, AT, PHONE);
    CommandId b =
        CommandId.of(
            new String("recurring:") + 42,
            Instant.ofEpochSecond(AT.getEpochSecond()),
            new StringBuilder(PHONE).toString());

    assertThat(b).isEqualTo(a);
    assertThat(b.value()).isEqualTo(a.value());
  }

  @Test
  void shouldReturnSameIdWhenInstantIsParsedFromAnotherOffset() {
    Instant jakarta = java.time.OffsetDateTime.parse("2025-03-01T15:00:00+07:00").toInstant();

    assertThat(CommandId.of(KEY, jakarta, PHONE)).isEqualTo(CommandId.of(KEY, AT, PHONE));
  }

  /** The documented canonical form, hashed independently: what a port to another language does. */
  @ParameterizedTest
  @MethodSource("inputs")
  void shouldEqualDocumentedCanonicalHashWhenComputedIndependently(
      String key, Instant at, String recipient) throws Exception {
    String canonical =
        key.length()
            + ":"
            + key
            + "|"
            + at.getEpochSecond()
            + "."
            + at.getNano()
            + "|"
            + recipient.length()
            + ":"
            + recipient;
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(UTF_8));

    assertThat(CommandId.of(key, at, recipient).value())
        .isEqualTo("c1-" + HexFormat.of().formatHex(sha).substring(0, 32));
  }

  static Stream<Arguments> inputs() {
    return Stream.of(
        Arguments.of(KEY, AT, PHONE),
        Arguments.of(
            "autopost:9a7b",
            Instant.parse("2025-03-03T08:00:00.000000001Z"),
            "120363041234567890@g.us"),
        Arguments.of("broadcast:ü-ñ", Instant.parse("1969-12-31T23:59:59.5Z"), "+4915112345678"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variations")
  void shouldDifferWhenAnyInputDiffers(String what, CommandId variant) {
    assertThat(variant).isNotEqualTo(CommandId.of(KEY, AT, PHONE));
  }

  static Stream<Arguments> variations() {
    return Stream.of(
        Arguments.of("schedule key", CommandId.of("recurring:43", AT, PHONE)),
        Arguments.of("kind in key", CommandId.of("broadcast:42", AT, PHONE)),
        Arguments.of("instant +1 ns", CommandId.of(KEY, AT.plusNanos(1), PHONE)),
        Arguments.of("instant -1 ns", CommandId.of(KEY, AT.minusNanos(1), PHONE)),
        Arguments.of("instant +1 s", CommandId.of(KEY, AT.plusSeconds(1), PHONE)),
        Arguments.of("recipient", CommandId.of(KEY, AT, "+6281234567891")),
        Arguments.of("recipient without +", CommandId.of(KEY, AT, "6281234567890")));
  }

  @Test
  void shouldNotCollideWhenSeparatorShiftsBetweenFields() {
    assertThat(CommandId.of("a:b", AT, "c")).isNotEqualTo(CommandId.of("a", AT, "b:c"));
    assertThat(CommandId.of("a|b", AT, "c")).isNotEqualTo(CommandId.of("a", AT, "b|c"));
    assertThat(CommandId.of("3:a", AT, "b")).isNotEqualTo(CommandId.of("a", AT, "3:b"));
    // Without length prefixes both would read "k|<sec>.0|x|<sec>.0|r": a field that contains the
    // instant's text must not let a triple pass for another one.
    String instantText = AT.getEpochSecond() + "." + AT.getNano();
    assertThat(CommandId.of("k|" + instantText + "|x", AT, "r"))
        .isNotEqualTo(CommandId.of("k", AT, "x|" + instantText + "|r"));
    assertThat(CommandId.of("k|" + instantText + "|1:r", AT, "1:r"))
        .isNotEqualTo(CommandId.of("k", AT, "1:r|" + instantText + "|1:r"));
  }

  @Test
  void shouldGiveDistinctIdsWhenOneStringIsSplitAtEveryPosition() {
    String joined = "recurring:42|+62:81|23";
    Set<CommandId> ids = new HashSet<>();
    for (int i = 0; i <= joined.length(); i++) {
      ids.add(CommandId.of(joined.substring(0, i), AT, joined.substring(i)));
    }

    assertThat(ids).hasSize(joined.length() + 1);
  }

  @Test
  void shouldGiveDistinctIdsWhenOccurrencesAreNanosecondsApart() {
    Set<CommandId> ids = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      ids.add(CommandId.of(KEY, AT.minusNanos(1_000).plusNanos(i), PHONE));
    }

    assertThat(ids).hasSize(2_000);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "+6281234567890",
        "6281234567890",
        "120363041234567890@g.us",
        "+4915112345678",
        "c0a8012e-7d1b-4c2a-9f3e-2b4d6f8a0c1e",
        "x",
        ""
      })
  void shouldBePrefixAnd32LowerHexWhenDerived(String recipient) {
    assertThat(CommandId.of(KEY, AT, recipient).value()).matches("^c1-[0-9a-f]{32}$");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"+6281234567890", "+4915112345678", "+12025550123", "120363041234567890@g.us"})
  void shouldNeverContainRecipientWhenDerived(String recipient) {
    String id = CommandId.of(KEY, AT, recipient).value();
    String digits = recipient.replaceAll("\\D", "");

    assertThat(id).doesNotContain(recipient).doesNotContain(digits);
    assertThat(CommandId.of(KEY, AT, recipient).toString()).isEqualTo(id);
  }

  @Test
  void shouldWriteAndReadPlainJsonStringWhenSerialized() throws Exception {
    CommandId id = CommandId.of(KEY, AT, PHONE);

    String json = Json.mapper().writeValueAsString(id);

    assertThat(json).isEqualTo("\"" + PINNED + "\"");
    assertThat(Json.mapper().readValue(json, CommandId.class)).isEqualTo(id);
    List<CommandId> list =
        Json.mapper()
            .readValue(
                "[\"" + PINNED + "\"]",
                Json.mapper()
                    .getTypeFactory()
                    .constructCollectionType(List.class, CommandId.class));
    assertThat(list).containsExactly(id);
  }

  @Test
  void shouldRejectNullWhenAnyInputIsNull() {
    assertThatThrownBy(() -> CommandId.of(null, AT, PHONE))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> CommandId.of(KEY, null, PHONE))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> CommandId.of(KEY, AT, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new CommandId(null)).isInstanceOf(NullPointerException.class);
  }
}
