package io.herald.contracts.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScheduleChangeTest {

  @ParameterizedTest
  @EnumSource(ScheduleKind.class)
  void shouldBuildKeyWithLowerCaseKindPrefixWhenKeyForIsCalled(ScheduleKind kind) {
    String key = kind.keyFor("abc");

    assertThat(key).isEqualTo(kind.name().toLowerCase() + ":abc");
    assertThat(ScheduleChange.delete(key, kind, 1L).scheduleId()).isEqualTo("abc");
  }

  @Test
  void shouldReturnWholeKeyWhenKeyHasNoColon() {
    assertThat(ScheduleChange.delete("crm-42", ScheduleKind.RECURRING, 0L).scheduleId())
        .isEqualTo("crm-42");
  }

  @Test
  void shouldKeepOnlyKeyKindAndVersionWhenDeleteIsBuilt() {
    ScheduleChange delete = ScheduleChange.delete("broadcast:7", ScheduleKind.BROADCAST, 3L);

    assertThat(delete.op()).isEqualTo(ChangeOp.DELETE);
    assertThat(delete.schemaVersion()).isEqualTo(ScheduleChange.SCHEMA_VERSION);
    assertThat(delete.sourceVersion()).isEqualTo(3L);
    assertThat(delete.active()).isFalse();
    assertThat(delete.tenantId()).isNull();
    assertThat(delete.recipients()).isNull();
    assertThat(delete.mappingErrors()).isEmpty();
  }

  @Test
  void shouldChangeOnlyTheNamedComponentsWhenAWithMethodCopies() {
    RuleSpec daily =
        new RuleSpec(
            "daily", null, null, null, "09:00", null, null, "UTC", null, null, null, null, null,
            null);
    ScheduleChange c =
        new ScheduleChange(
            1,
            ChangeOp.UPSERT,
            "broadcast:1",
            ScheduleKind.BROADCAST,
            "t",
            "d",
            "n",
            "hi",
            "https://x/a.png",
            List.of("+6281234567890"),
            RuleSpec.once(null),
            PacingSpec.none(),
            true,
            "scheduled",
            3L,
            Instant.EPOCH,
            List.of("e"));
    Instant later = Instant.EPOCH.plusSeconds(1);

    assertThat(c.withDeviceId("d2")).isEqualTo(copy(c, 5, "d2"));
    assertThat(c.withMessage("yo", null)).isEqualTo(copy(copy(c, 7, "yo"), 8, null));
    assertThat(c.withRecipients(List.of())).isEqualTo(copy(c, 9, List.of()));
    assertThat(c.withRule(daily)).isEqualTo(copy(c, 10, daily));
    assertThat(c.withStatus(false, "draft")).isEqualTo(copy(copy(c, 12, false), 13, "draft"));
    assertThat(c.withSourceVersion(4L)).isEqualTo(copy(c, 14, 4L));
    assertThat(c.withCreatedAt(later)).isEqualTo(copy(c, 15, later));
    assertThat(c.withoutContent(List.of("too large")))
        .isEqualTo(
            new ScheduleChange(
                1,
                ChangeOp.UPSERT,
                "broadcast:1",
                ScheduleKind.BROADCAST,
                "t",
                "d",
                null,
                null,
                null,
                List.of(),
                null,
                null,
                true,
                "scheduled",
                3L,
                Instant.EPOCH,
                List.of("too large")));
  }

  /** {@code c} with its {@code index}-th component replaced, through the canonical constructor. */
  private static ScheduleChange copy(ScheduleChange c, int index, Object value) {
    try {
      RecordComponent[] components = ScheduleChange.class.getRecordComponents();
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        args[i] = i == index ? value : components[i].getAccessor().invoke(c);
        types[i] = components[i].getType();
      }
      return ScheduleChange.class.getDeclaredConstructor(types).newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldCopyListsWhenCallerMutatesOriginals() {
    List<String> recipients = new ArrayList<>(List.of("+6281234567890"));
    List<String> errors = new ArrayList<>();
    ScheduleChange change =
        new ScheduleChange(
            1,
            ChangeOp.UPSERT,
            "recurring:1",
            ScheduleKind.RECURRING,
            "t",
            "d",
            null,
            "hi",
            null,
            recipients,
            null,
            null,
            true,
            null,
            1L,
            null,
            errors);

    recipients.add("+4915112345678");
    errors.add("late");

    assertThat(change.recipients()).containsExactly("+6281234567890");
    assertThat(change.mappingErrors()).isEmpty();
  }

  @Test
  void shouldRejectUnknownKindWithReadableMessageWhenWireValueIsWrong() {
    assertThatThrownBy(() -> ScheduleKind.fromWire("weekly"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weekly")
        .hasMessageContaining("recurring, broadcast or autopost");
    assertThat(ScheduleKind.fromWire(null)).isNull();
  }

  @Test
  void shouldTurnNullRecipientIntoMappingErrorWhenProducerSendsOne() {
    List<String> recipients = new ArrayList<>();
    recipients.add("+6281234567890");
    recipients.add(null);
    ScheduleChange change =
        new ScheduleChange(
            1,
            ChangeOp.UPSERT,
            "recurring:1",
            ScheduleKind.RECURRING,
            "t",
            "d",
            "n",
            "hi",
            null,
            recipients,
            RuleSpec.once(null),
            null,
            true,
            null,
            1L,
            null,
            List.of("earlier problem"));

    assertThat(change.recipients()).containsExactly("+6281234567890");
    assertThat(change.mappingErrors()).containsExactly("earlier problem", "recipients[1] is null");
  }
}
