package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.console.read.Definitions.Occurrence;
import io.herald.console.read.Definitions.Row;
import io.herald.console.read.Reasons;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatusFormatTest {

  private static final UUID ID = UUID.fromString("6f1c2b9e-1d2a-4c3b-9e8f-000000000001");

  private static final UUID TENANT = UUID.fromString("6f1c2b9e-1d2a-4c3b-9e8f-0000000000aa");

  /** {@code reasons} as the statement aggregates them, read the way the console reads them. */
  private static Row totals(long recipients, String reasons, Instant nextDue) {
    return new Row(
        "recurring",
        ID,
        TENANT,
        "weekly digest",
        "active",
        nextDue,
        2,
        recipients,
        5,
        4,
        3,
        1,
        1,
        1,
        2,
        Reasons.parse(reasons),
        null);
  }

  private static Occurrence occurrence(String at) {
    Instant i = Instant.parse(at);
    return new Occurrence(
        i,
        i.plusSeconds(1),
        null,
        4L,
        2,
        1,
        0,
        0,
        1,
        0,
        1,
        Reasons.parse("opted_out=1"),
        "processing");
  }

  @Test
  void shouldCountRecipientsWithoutAnOutcomeAsPendingWhenShowingTotals() {
    assertThat(totals(12, null, null).pending()).isEqualTo(2);
  }

  @Test
  void shouldNeverShowANegativePendingWhenOutcomesExceedRecipients() {
    // outcomes recorded before the fan-out wrote the recipient count
    assertThat(totals(0, null, null).pending()).isZero();
  }

  @Test
  void shouldShowTheFullIdEveryCountAndTheReasonsLastWhenFormattingAnOverviewLine() {
    String line =
        StatusFormat.overviewLine(
            totals(12, "opted_out=1 not_tenant_contact=1", Instant.parse("2030-01-02T03:04:05Z")));
    assertThat(line.split(" +"))
        .containsExactly(
            "recurring",
            ID.toString(),
            "weekly",
            "digest",
            "active",
            "2030-01-02T03:04:05Z",
            "2",
            "12",
            "5",
            "4",
            "3",
            "1",
            "1",
            "1",
            "2",
            "2",
            "opted_out=1",
            "not_tenant_contact=1");
    assertThat(StatusFormat.overviewHeader().split(" +"))
        .startsWith("kind", "id", "name", "status", "next", "due", "(UTC)", "fired", "recipients");
  }

  @Test
  void shouldShowADashWhenNothingIsDueOrSkipped() {
    String line = StatusFormat.overviewLine(totals(12, null, null));
    assertThat(line.split(" +")[5]).isEqualTo("-");
    assertThat(line).endsWith(" -");
  }

  @Test
  void shouldAbbreviateLongNamesToOneLineWhenFormatting() {
    assertThat(StatusFormat.clean("a very long name of a recurring message", 20))
        .hasSize(20)
        .endsWith("…");
    assertThat(StatusFormat.clean("two\nlines\tand a tab", 40)).isEqualTo("two lines and a tab");
    assertThat(StatusFormat.clean(null, 20)).isEqualTo("-");
    assertThat(StatusFormat.clean("  ", 20)).isEqualTo("-");
    // a cut never splits a surrogate pair
    assertThat(StatusFormat.clean("😀😀😀😀", 3)).isEqualTo("😀😀…");
  }

  @Test
  void shouldKeepWholeReasonsWithinTheBoundAndCountTheRest() {
    String raw =
        IntStream.range(0, 30)
            .mapToObj(i -> "reason_" + i + "=" + i)
            .collect(Collectors.joining(" "));
    String shown = StatusFormat.reasons(Reasons.parse(raw));
    assertThat(shown).hasSizeLessThanOrEqualTo(StatusFormat.REASONS_MAX).matches(".* \\+\\d+ more");
    String[] parts = shown.split(" ");
    int listed = parts.length - 2;
    assertThat(parts[parts.length - 2]).isEqualTo("+" + (30 - listed));
    assertThat(raw).startsWith(String.join(" ", List.of(parts).subList(0, listed)) + " ");
    // the statement's aggregate comes back as it was, in the order it came in
    assertThat(StatusFormat.reasons(Reasons.parse("opted_out=5 not_tenant_contact=10")))
        .isEqualTo("opted_out=5 not_tenant_contact=10");
    assertThat(StatusFormat.reasons(Reasons.parse(null))).isEqualTo("-");
    assertThat(StatusFormat.reasons(null)).isEqualTo("-");
    assertThat(StatusFormat.reasons(Reasons.parse("x".repeat(200) + "=1"))).isEqualTo("+1 more");
  }

  @Test
  void shouldListTheHistoryNewestFirstAndCountWhatIsNotShownWhenFormattingADetail() {
    List<Occurrence> history = new ArrayList<>();
    history.add(occurrence("2030-01-02T00:00:00Z"));
    history.add(occurrence("2030-01-01T00:00:00Z"));
    List<String> lines =
        StatusFormat.detail(
            new Row(
                "broadcast",
                ID,
                TENANT,
                "spring sale",
                "failed",
                null,
                1,
                4,
                0,
                0,
                0,
                4,
                0,
                0,
                0,
                Map.of(),
                "device\nnot found"),
            history,
            7);
    assertThat(lines.get(0)).isEqualTo("broadcast " + ID + "  spring sale");
    assertThat(lines)
        .contains(
            "  status      failed",
            "  last error  device not found",
            "  next due    -",
            "  totals      recipients=4 sent=0 delivered=0 read=0 failed=4 unknown=0 expired=0 skipped=0 pending=0",
            "  skipped by  -",
            "… 5 older occurrences not shown");
    int first = lines.indexOf(StatusFormat.historyHeader()) + 1;
    assertThat(lines.get(first)).startsWith("2030-01-02T00:00:00Z 2030-01-02T00:00:01Z -");
    assertThat(lines.get(first + 1)).startsWith("2030-01-01T00:00:00Z");
    assertThat(lines.get(first).split(" +"))
        .endsWith("4", "2", "1", "0", "0", "1", "0", "1", "processing", "opted_out=1");
  }

  @Test
  void shouldSayNoOccurrenceYetWhenTheHistoryIsEmpty() {
    List<String> lines = StatusFormat.detail(totals(0, null, null), List.of(), 0);
    assertThat(lines).last().isEqualTo("no occurrence yet");
    assertThat(lines).noneMatch(l -> l.startsWith("  last error"));
  }
}
