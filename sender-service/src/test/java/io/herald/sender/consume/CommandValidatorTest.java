package io.herald.sender.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CommandValidatorTest {

  private static final Instant OCC = Instant.parse("2026-09-01T08:00:00Z");
  private static final String KEY = "recurring:" + UUID.randomUUID();

  /** A valid command, its fields as a mutable builder so each test breaks exactly one. */
  private static final class B {
    CommandId id = CommandId.of(KEY, OCC, "+628111");
    String tenant = UUID.randomUUID().toString();
    String device = UUID.randomUUID().toString();
    String key = KEY;
    ScheduleKind kind = ScheduleKind.RECURRING;
    Instant occ = OCC;
    String recipient = "+628111";
    String contact = null;
    String text = "Hello";
    String media = null;

    SendCommand build() {
      return new SendCommand(
          1,
          id,
          tenant,
          device,
          key,
          kind,
          occ,
          recipient,
          RecipientType.INDIVIDUAL,
          contact,
          text,
          media,
          PacingSpec.none(),
          1,
          null);
    }
  }

  private static List<String> problems(UnaryOperator<B> change) {
    return CommandValidator.problems(change.apply(new B()).build());
  }

  @Test
  void shouldAcceptWhenEveryFieldIsWithinItsBound() {
    assertThat(problems(b -> b)).isEmpty();
  }

  @Test
  void shouldAcceptWhenTextHasExactlyTheMaximumOfCodePointsOutsideTheBmp() {
    // 4096 emoji are 8192 chars but 4096 characters in WhatsApp's (and our) sense
    String emoji = "\uD83D\uDE00".repeat(Limits.MESSAGE_MAX_CHARS);
    assertThat(
            problems(
                b -> {
                  b.text = emoji;
                  return b;
                }))
        .isEmpty();
  }

  @Nested
  class Rejected {

    @Test
    void shouldRejectWhenCommandIdIsMissing() {
      assertThat(
              problems(
                  b -> {
                    b.id = null;
                    return b;
                  }))
          .containsExactly("missing commandId");
    }

    @Test
    void shouldRejectWhenIdsAreAbsurdlyLong() {
      String huge = "x".repeat(100_000);
      assertThat(
              problems(
                  b -> {
                    b.id = new CommandId(huge);
                    return b;
                  }))
          .containsExactly("commandId longer than 128 characters (100000)");
      assertThat(
              problems(
                  b -> {
                    b.device = huge;
                    return b;
                  }))
          .containsExactly("deviceId longer than 128 characters (100000)");
      assertThat(
              problems(
                  b -> {
                    b.tenant = huge;
                    return b;
                  }))
          .containsExactly("tenantId longer than 128 characters (100000)");
    }

    @Test
    void shouldRejectWhenDeviceOrTenantIsMissing() {
      assertThat(
              problems(
                  b -> {
                    b.device = null;
                    b.tenant = " ";
                    return b;
                  }))
          .containsExactly("missing deviceId", "missing tenantId");
    }

    @Test
    void shouldRejectWhenKindIsMissing() {
      assertThat(
              problems(
                  b -> {
                    b.kind = null;
                    return b;
                  }))
          .containsExactly("missing kind");
    }

    @Test
    void shouldRejectWhenTextIsOverTheBoundInCodePoints() {
      String text = "a".repeat(Limits.MESSAGE_MAX_CHARS + 1);
      assertThat(
              problems(
                  b -> {
                    b.text = text;
                    return b;
                  }))
          .containsExactly("text longer than 4096 characters (4097)");
    }

    @Test
    void shouldRejectWhenTextIsOverFourTimesTheBoundInBytes() {
      // 4 bytes per code point in UTF-8: more than MESSAGE_MAX_CHARS x 4 bytes
      String text = "\uD83D\uDE00".repeat(Limits.MESSAGE_MAX_CHARS + 10);
      assertThat(
              problems(
                  b -> {
                    b.text = text;
                    return b;
                  }))
          .singleElement()
          .asString()
          .startsWith("text longer than 4096 characters");
    }

    @Test
    void shouldRejectWhenScheduleKeyOrMediaUrlIsTooLong() {
      assertThat(
              problems(
                  b -> {
                    b.key = "recurring:" + "x".repeat(Limits.SCHEDULE_KEY_MAX_CHARS);
                    b.media = "https://x/" + "y".repeat(Limits.MEDIA_URL_MAX_CHARS);
                    return b;
                  }))
          .containsExactly(
              "scheduleKey longer than 160 characters (170)",
              "mediaUrl longer than 2048 characters (2058)");
    }

    @Test
    void shouldRejectWhenRecipientHoldsANulThatPostgresRefuses() {
      assertThat(
              problems(
                  b -> {
                    b.recipient = "+62\u00008111";
                    return b;
                  }))
          .containsExactly("recipient contains control characters");
    }

    @Test
    void shouldRejectWhenOccurrenceIsBeyondWhatTheLedgerCanStore() {
      assertThat(
              problems(
                  b -> {
                    b.occ = Instant.parse("+300000-01-01T00:00:00Z");
                    return b;
                  }))
          .containsExactly("occurrenceAt outside years 1 to 9999");
    }

    @Test
    void shouldListEveryProblemBoundedWhenManyFieldsAreWrong() {
      List<String> p =
          problems(
              b -> {
                b.id = null;
                b.device = null;
                b.tenant = null;
                b.recipient = null;
                b.kind = null;
                b.text = "t".repeat(1_000_000);
                return b;
              });
      assertThat(p).hasSize(6).allMatch(s -> s.length() <= Limits.ERROR_REASON_MAX_CHARS);
    }
  }

  @Test
  void shouldTellStorableFromUnstorableWhenCheckingIds() {
    assertThat(CommandValidator.storable("c1-abc", Limits.ID_MAX_CHARS)).isTrue();
    assertThat(CommandValidator.storable("c1-\u0000", Limits.ID_MAX_CHARS)).isFalse();
    assertThat(CommandValidator.storable("x".repeat(129), Limits.ID_MAX_CHARS)).isFalse();
    assertThat(CommandValidator.storable(null, Limits.ID_MAX_CHARS)).isFalse();
  }
}
