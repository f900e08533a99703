package io.herald.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.outcome.SkipReasons;
import io.herald.scheduler.schedule.Recipients;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DryRunReportTest {

  private static DryRunPlanner.Line skip(String identity, String address, String reason) {
    return new DryRunPlanner.Line(
        identity, address, null, null, null, null, false, false, reason, null, null);
  }

  @Test
  void shouldShowOnlyTheLastFourDigitsWhenMaskingANumber() {
    assertThat(DryRunReport.mask("+15550100001")).isEqualTo("+*******0001");
    assertThat(DryRunReport.mask("+628123")).isEqualTo("+**8123");
  }

  @Test
  void shouldNameTheRecipientByKindWhenPrinting() {
    String id = "00000000-0000-0000-0000-00000000000a";
    assertThat(DryRunReport.who(skip("+15550100001", null, SkipReasons.OPTED_OUT)))
        .isEqualTo("+*******0001");
    assertThat(DryRunReport.who(skip(id, null, SkipReasons.UNKNOWN_CONTACT)))
        .isEqualTo("contact " + id);
    assertThat(
            DryRunReport.who(
                skip(
                    Recipients.duplicateMark("+15550100001", 2),
                    "+15550100001",
                    SkipReasons.DUPLICATE_RECIPIENT)))
        .isEqualTo("+*******0001");
    assertThat(DryRunReport.who(skip("1203@g.us", "1203@g.us", null))).isEqualTo("group 1203@g.us");
  }

  @Test
  void shouldEscapeControlCharactersWhenQuotingText() {
    assertThat(DryRunReport.quote("a\"b\\c\nd\te\u0001"))
        .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  }

  @Test
  void shouldCountMostFrequentFirstWhenSummingSkips() {
    List<DryRunPlanner.Line> skips =
        List.of(
            skip("a", null, "unknown_contact"),
            skip("b", null, "opted_out"),
            skip("c", null, "opted_out"),
            skip("d", null, "invalid_recipient"));

    assertThat(DryRunReport.byReason(skips))
        .isEqualTo("opted_out=2 invalid_recipient=1 unknown_contact=1");
  }

  @Test
  void shouldListParametersWhenPrintingATemplate() {
    MessageTemplate t =
        new MessageTemplate(
            "promo",
            "en_US",
            List.of(
                new MessageTemplate.Component(
                    "header",
                    null,
                    null,
                    List.of(new MessageTemplate.Parameter("image", null, "https://x/i.png"))),
                new MessageTemplate.Component(
                    "button",
                    "url",
                    0,
                    List.of(new MessageTemplate.Parameter("text", "a b", null)))));

    assertThat(DryRunReport.template(t))
        .isEqualTo("promo/en_US header[image https://x/i.png] button(url,0)[\"a b\"]");
  }

  @Test
  void shouldSayTheSendsAreHeldWhenTheDeviceIsPaused() {
    JdbcDryRunReader.DeviceRow paused =
        new JdbcDryRunReader.DeviceRow(
            "dev", "t", "whatsapp_cloud", "paused", "131048 spam limit", null, null);
    DryRunReport.Input in =
        new DryRunReport.Input(
            "broadcasts",
            "b1",
            false,
            Instant.parse("2026-03-02T09:00:00Z"),
            ZoneId.of("Asia/Jakarta"),
            "dev",
            paused,
            List.of(skip("+15550100001", null, SkipReasons.OPTED_OUT)),
            5,
            null,
            0,
            Map.of(),
            null);

    assertThat(DryRunReport.lines(in))
        .containsExactly(
            "Dry run:    broadcasts b1 (read only: nothing is written or sent)",
            "Status:     inactive: this occurrence fires only once the definition is active",
            "Occurrence: 2026-03-02T09:00:00Z  Mon 2026-03-02 16:00 +07:00 (Asia/Jakarta)",
            "Device:     dev whatsapp_cloud, status paused (131048 spam limit): not active, the"
                + " sends would be held until it is active again",
            "Recipients: 1 listed: 0 to send, 1 skipped",
            "Skipped:    opted_out=1",
            "Skipped (first 1 of 1):",
            "   1  +*******0001  opted_out",
            "Completion: not estimated: the device would not send (see Device)");
  }
}
