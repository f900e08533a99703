package io.herald.sender.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class QuietWindowTest {

  private static final ZoneId JAKARTA = ZoneId.of("Asia/Jakarta");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final QuietWindow NIGHT = new QuietWindow(LocalTime.of(21, 0), LocalTime.of(8, 0));

  private static Instant at(String local, ZoneId zone) {
    return ZonedDateTime.of(java.time.LocalDateTime.parse(local), zone).toInstant();
  }

  @Test
  void shouldDeferToTheMorningInTheRecipientsZone() {
    assertThat(NIGHT.deferUntil(JAKARTA, at("2026-06-01T23:30", JAKARTA)))
        .isEqualTo(at("2026-06-02T08:00", JAKARTA));
    assertThat(NIGHT.deferUntil(JAKARTA, at("2026-06-02T06:00", JAKARTA)))
        .isEqualTo(at("2026-06-02T08:00", JAKARTA));
    assertThat(NIGHT.deferUntil(JAKARTA, at("2026-06-02T08:00", JAKARTA))).isNull();
    assertThat(NIGHT.deferUntil(JAKARTA, at("2026-06-02T20:59", JAKARTA))).isNull();
    // the same instant is night in Jakarta and morning in New York
    Instant same = at("2026-06-01T23:30", JAKARTA);
    assertThat(NIGHT.deferUntil(NEW_YORK, same)).isNull();
  }

  @Test
  void shouldKeepAWindowWithinADayAndNoneWhenStartEqualsEnd() {
    QuietWindow lunch = new QuietWindow(LocalTime.of(12, 0), LocalTime.of(14, 0));
    assertThat(lunch.deferUntil(JAKARTA, at("2026-06-01T13:00", JAKARTA)))
        .isEqualTo(at("2026-06-01T14:00", JAKARTA));
    assertThat(lunch.deferUntil(JAKARTA, at("2026-06-01T14:00", JAKARTA))).isNull();
    assertThat(
            new QuietWindow(LocalTime.MIDNIGHT, LocalTime.MIDNIGHT)
                .deferUntil(JAKARTA, at("2026-06-01T03:00", JAKARTA)))
        .isNull();
  }

  @Test
  void shouldEndAnHourLaterWhenTheEndFallsInTheSpringForwardGap() {
    QuietWindow w = new QuietWindow(LocalTime.of(1, 0), LocalTime.of(2, 30));
    // 2026-03-08: New York skips 02:00-03:00; 02:30 does not exist and becomes 03:30 EDT
    assertThat(w.deferUntil(NEW_YORK, at("2026-03-08T01:30", NEW_YORK)))
        .isEqualTo(Instant.parse("2026-03-08T07:30:00Z"));
  }
}
