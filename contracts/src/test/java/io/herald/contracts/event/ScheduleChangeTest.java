package io.herald.contracts.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
