package io.herald.scheduler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleChange;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.scheduler.schedule.Definition;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireDefinitionsTest {

  private static final ScheduleChange CHANGE =
      new ScheduleChange(
          ScheduleChange.SCHEMA_VERSION,
          ChangeOp.UPSERT,
          "broadcast:1",
          ScheduleKind.BROADCAST,
          "t1",
          "d1",
          "name",
          "Hello {name}",
          "https://example.com/a.png",
          List.of("+6281234567890"),
          RuleSpec.once("2026-06-01T07:00:00Z"),
          PacingSpec.none(),
          true,
          "scheduled",
          42L,
          Instant.parse("2026-06-01T06:00:00Z"),
          List.of("recipients[1] is null"),
          new MessageTemplate(
              "class_reminder",
              "id",
              List.of(
                  new MessageTemplate.Component(
                      "body",
                      null,
                      null,
                      List.of(new MessageTemplate.Parameter("text", "{name}", null))))),
          WindowPolicy.FALLBACK_TEMPLATE);

  @Test
  void shouldCarryEveryComponentOfTheSameNameWhenTranslatingAChange() throws Exception {
    Definition d = WireDefinitions.upsert(CHANGE);

    for (RecordComponent c : Definition.class.getRecordComponents()) {
      Object wire = ScheduleChange.class.getMethod(c.getName()).invoke(CHANGE);
      assertThat(c.getAccessor().invoke(d)).as(c.getName()).isEqualTo(wire).isNotNull();
    }
  }

  @Test
  void shouldAskForADeleteWhenTheChangeIsATombstoneOrADelete() {
    ScheduleChange delete = ScheduleChange.delete("broadcast:1", ScheduleKind.BROADCAST, 43L);

    assertThat(WireDefinitions.upsert(null)).isNull();
    assertThat(WireDefinitions.upsert(delete)).isNull();
    // Set aside, a delete still names its schedule's kind and version.
    assertThat(WireDefinitions.definition(delete))
        .extracting(Definition::scheduleKey, Definition::kind, Definition::sourceVersion)
        .containsExactly("broadcast:1", ScheduleKind.BROADCAST, 43L);
  }
}
