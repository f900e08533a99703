package io.herald.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.scheduler.cli.DryRunPlanner.Choice;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.topology.ContactsUpdater;
import io.herald.scheduler.topology.RecipientResolver;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DryRunPlannerTest {

  private static final Instant AT = Instant.parse("2026-03-02T09:00:00Z");
  private static final String TENANT = "t1";

  @ParameterizedTest(name = "{0} template={1} cloud={2} inside={3} -> {4}")
  @CsvSource({
    "FREE_TEXT,         true,  true,  false, TEXT",
    "FALLBACK_TEMPLATE, true,  true,  false, TEMPLATE",
    "FALLBACK_TEMPLATE, true,  true,  true,  TEXT",
    "FALLBACK_TEMPLATE, false, true,  false, TEXT",
    "TEMPLATE_ALWAYS,   true,  true,  true,  TEMPLATE",
    "TEMPLATE_ALWAYS,   false, true,  true,  TEXT",
    "SKIP_OUTSIDE,      true,  true,  false, SKIP",
    "SKIP_OUTSIDE,      true,  true,  true,  TEXT",
    "SKIP_OUTSIDE,      true,  false, false, TEXT",
    "TEMPLATE_ALWAYS,   true,  false, false, TEXT",
  })
  void shouldChooseAsTheSenderWhenPolicyAndWindowAreGiven(
      WindowPolicy policy, boolean template, boolean cloud, boolean inside, Choice expected) {
    assertThat(DryRunPlanner.choice(policy, template, cloud, inside)).isEqualTo(expected);
  }

  @Test
  void shouldTreatTheLastMinuteAsOutsideWhenWindowIsClosing() {
    assertThat(DryRunPlanner.inside(AT.minusSeconds(24 * 3600 - 61), AT)).isTrue();
    assertThat(DryRunPlanner.inside(AT.minusSeconds(24 * 3600 - 60), AT)).isFalse();
    assertThat(DryRunPlanner.inside(null, AT)).isFalse();
  }

  private static ContactInfo contact(String id, String phone, String name) {
    return new ContactInfo(
        ContactInfo.SCHEMA_VERSION, id, TENANT, phone, name, Map.of(), false, false);
  }

  private static Definition definition(List<String> recipients, MessageTemplate t, WindowPolicy p) {
    return new Definition(
        "recurring:d1",
        ScheduleKind.RECURRING,
        TENANT,
        "dev",
        "n",
        "Hi {name}",
        null,
        recipients,
        null,
        null,
        true,
        null,
        0L,
        AT,
        List.of(),
        t,
        p);
  }

  @Test
  void shouldDeferNewRecipientsOutsideTheWindowWhenTheLimitIsUsedUp() {
    String a = "00000000-0000-0000-0000-00000000000a";
    String b = "00000000-0000-0000-0000-00000000000b";
    String c = "00000000-0000-0000-0000-00000000000c";
    Map<String, ContactInfo> byId =
        Map.of(
            ContactsUpdater.idKey(a), contact(a, "+15550000001", "Ann"),
            ContactsUpdater.idKey(b), contact(b, "+15550000002", "Bob"),
            ContactsUpdater.idKey(c), contact(c, "+15550000003", "Cy"));
    RecipientResolver resolver = new RecipientResolver(k -> null, byId::get);
    MessageTemplate t =
        new MessageTemplate(
            "promo",
            "en",
            List.of(
                new MessageTemplate.Component(
                    "body",
                    null,
                    null,
                    List.of(new MessageTemplate.Parameter("text", "{name}", null)))));
    DryRunPlanner.DeviceFacts facts =
        new DryRunPlanner.DeviceFacts(
            true, Map.of("15550000001", AT.minusSeconds(60)), AT, 2, 1, Set.of("15550000003"));

    List<DryRunPlanner.Line> lines =
        DryRunPlanner.plan(
            definition(List.of(a, b, c), t, null),
            List.of(a, b, c),
            ZoneOffset.UTC,
            AT,
            resolver,
            facts,
            DryRunPlanner.Policies.NONE);

    // a: inside, text; b: outside, takes the last slot; c: already counted, no slot needed
    assertThat(lines)
        .extracting(DryRunPlanner.Line::choice)
        .containsExactly(Choice.TEXT, Choice.TEMPLATE, Choice.TEMPLATE);
    assertThat(lines).extracting(DryRunPlanner.Line::deferred).containsExactly(false, false, false);
    assertThat(lines.get(0).text()).isEqualTo("Hi Ann");
    assertThat(lines.get(1).template().components().get(0).parameters().get(0).text())
        .isEqualTo("Bob");

    DryRunPlanner.DeviceFacts full =
        new DryRunPlanner.DeviceFacts(true, Map.of(), AT, 1, 1, Set.of("15550000003"));
    List<DryRunPlanner.Line> held =
        DryRunPlanner.plan(
            definition(List.of(a, b, c), t, null),
            List.of(a, b, c),
            ZoneOffset.UTC,
            AT,
            resolver,
            full,
            DryRunPlanner.Policies.NONE);

    assertThat(held).extracting(DryRunPlanner.Line::deferred).containsExactly(true, true, false);
  }

  @Test
  void shouldMarkQuietHoursInTheRecipientsZoneAndSkipContactsOverTheirCap() {
    String a = "+6281100000001"; // Indonesia: night at 16:00 UTC in Jakarta (23:00)
    String b = "+12125550100"; // New York: 12:00
    RecipientResolver resolver = new RecipientResolver(k -> null, k -> null);
    DryRunPlanner.DeviceFacts facts =
        new DryRunPlanner.DeviceFacts(false, Map.of(), AT_1600, null, 0, Set.of());
    DryRunPlanner.Policies policies =
        new DryRunPlanner.Policies(
            java.time.LocalTime.of(21, 0),
            java.time.LocalTime.of(8, 0),
            List.<long[]>of(new long[] {1, 24}),
            Map.of("12125550100", List.of(AT_1600.minusSeconds(3_600))));

    List<DryRunPlanner.Line> lines =
        DryRunPlanner.plan(
            definition(List.of(a, b), null, null),
            List.of(a, b),
            ZoneOffset.UTC,
            AT_1600,
            resolver,
            facts,
            policies);

    assertThat(lines.get(0).quietUntil())
        .isEqualTo(java.time.Instant.parse("2026-06-02T01:00:00Z"));
    assertThat(lines.get(0).recipientZone()).isEqualTo(java.time.ZoneId.of("Asia/Jakarta"));
    assertThat(lines.get(1).skipReason()).isEqualTo("frequency_cap");
  }

  private static final java.time.Instant AT_1600 = java.time.Instant.parse("2026-06-01T16:00:00Z");
}
