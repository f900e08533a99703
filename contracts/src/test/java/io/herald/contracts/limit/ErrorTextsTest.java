package io.herald.contracts.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.contracts.topic.DeadLetters;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ErrorTextsTest {

  @Test
  void shouldKeepShortTextsAsTheyAre() {
    assertThat(ErrorTexts.clip("timezone 'Mars/Base' is not an IANA zone", 300))
        .isEqualTo("timezone 'Mars/Base' is not an IANA zone");
    assertThat(ErrorTexts.quote("Asia/Jakart")).isEqualTo("'Asia/Jakart'");
    assertThat(ErrorTexts.clip(null, 10)).isEmpty();
  }

  @Test
  void shouldClipToTheBoundWithAnEllipsisWhenTooLong() {
    String clipped = ErrorTexts.clip("x".repeat(1_000), 40);
    assertThat(clipped).hasSize(40).endsWith("…");
    assertThat(ErrorTexts.quote("y".repeat(1_000_000))).hasSize(Limits.ECHO_MAX_CHARS + 2);
  }

  @Test
  void shouldNeverSplitASurrogatePairWhenClipping() {
    String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
    for (int max = 1; max < 12; max++) {
      String clipped = ErrorTexts.clip(emoji.repeat(20), max);
      assertThat(clipped.length()).isLessThanOrEqualTo(max);
      for (int i = 0; i < clipped.length(); i++) {
        char c = clipped.charAt(i);
        if (Character.isHighSurrogate(c)) {
          assertThat(i + 1).isLessThan(clipped.length());
          assertThat(Character.isLowSurrogate(clipped.charAt(i + 1))).isTrue();
        }
      }
    }
  }

  @Test
  void shouldReplaceNulAndControlCharactersThatPostgresRefusesOrLogsSplitOn() {
    assertThat(ErrorTexts.clip("a\u0000b\nc\rd\u2028e\uD800f", 100)).isEqualTo("a b c d e f");
  }

  @Test
  void shouldListTheFirstReasonsThenCountTheRest() {
    List<String> reasons = IntStream.range(0, 25).mapToObj(i -> "reason " + i).toList();
    List<String> capped = ErrorTexts.reasons(reasons);
    assertThat(capped).hasSize(Limits.ERROR_REASONS_LISTED + 1);
    assertThat(capped.get(Limits.ERROR_REASONS_LISTED)).isEqualTo("and 15 more");
    assertThat(ErrorTexts.reasons(capped)).as("capping twice changes nothing").isEqualTo(capped);
    assertThat(ErrorTexts.join(reasons))
        .startsWith("reason 0; reason 1; ")
        .endsWith("reason 9; and 15 more");
  }

  @Test
  void shouldStayUnderTheWholeTextBoundWhateverTheReasons() {
    List<String> huge = Collections.nCopies(1_000, "z".repeat(100_000));
    String joined = ErrorTexts.join(huge);
    assertThat(joined).hasSizeLessThanOrEqualTo(Limits.ERROR_TEXT_MAX_CHARS).endsWith(" more");
    assertThat(ErrorTexts.join(List.of("z".repeat(100_000))))
        .hasSize(Limits.ERROR_REASON_MAX_CHARS);
  }

  @Test
  void shouldBoundAScheduleErrorWhoeverBuildsIt() {
    List<String> reasons = Collections.nCopies(100_000, "q".repeat(10_000));
    ScheduleError e =
        new ScheduleError(
            1,
            "recurring:x",
            null,
            "t".repeat(10_000),
            ErrorReason.INVALID_RULE,
            reasons,
            String.join("; ", reasons.subList(0, 100)),
            1L,
            Instant.EPOCH);
    assertThat(e.reasons()).hasSize(Limits.ERROR_REASONS_LISTED + 1);
    assertThat(e.message()).hasSizeLessThanOrEqualTo(Limits.ERROR_TEXT_MAX_CHARS);
    assertThat(e.tenantId()).hasSizeLessThanOrEqualTo(Limits.ID_MAX_CHARS);
  }

  @Test
  void shouldBoundAContactsNameAndFieldsDeterministically() {
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      fields.put(String.format("f%04d", i), "v".repeat(5_000));
    }
    fields.put("k".repeat(Limits.CONTACT_FIELD_KEY_MAX_CHARS + 1), "dropped");
    ContactInfo c =
        new ContactInfo(
            1, "id", "t", "+4915112345678", "n".repeat(1_000_000), fields, false, false);
    assertThat(c.name()).hasSize(Limits.CONTACT_NAME_MAX_CHARS);
    assertThat(c.fields())
        .hasSize(Limits.CONTACT_FIELDS_MAX_ENTRIES)
        .containsKeys("f0000", "f0049")
        .doesNotContainKey("f0050");
    assertThat(c.fields().get("f0000")).hasSize(Limits.CONTACT_FIELD_VALUE_MAX_CHARS);
    String emoji = "\uD83D\uDE00";
    String cut = Limits.cut(emoji.repeat(300), Limits.CONTACT_NAME_MAX_CHARS);
    assertThat(cut).isEqualTo(emoji.repeat(Limits.CONTACT_NAME_MAX_CHARS));
  }

  @Test
  void shouldCutADeadLetterValueThatWouldNotFitAndSaySo() {
    byte[] big = new byte[Limits.MAX_RECORD_BYTES];
    RecordHeaders headers = new RecordHeaders();
    DeadLetters.truncatedHeader(headers, big);
    assertThat(DeadLetters.value(big)).hasSize(Limits.MAX_DEAD_LETTER_VALUE_BYTES);
    assertThat(new String(headers.lastHeader(DeadLetters.HEADER_ORIGINAL_BYTES).value()))
        .isEqualTo(Integer.toString(Limits.MAX_RECORD_BYTES));
    byte[] small = new byte[10];
    assertThat(DeadLetters.value(small)).isSameAs(small);
  }
}
