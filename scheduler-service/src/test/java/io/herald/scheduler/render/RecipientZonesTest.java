package io.herald.scheduler.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipientZonesTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void shouldTakeTheContactsOwnZoneFirst() {
    assertThat(RecipientZones.of(Map.of("timezone", "Asia/Tokyo"), "+6281234567890", BERLIN))
        .isEqualTo(ZoneId.of("Asia/Tokyo"));
  }

  @Test
  void shouldTakeTheNumbersZoneWhenTheContactHasNone() {
    assertThat(
            RecipientZones.of(
                Map.of(), "+6281234567890", BERLIN)) // Indonesian mobile: the first of its zones
        .isEqualTo(ZoneId.of("Asia/Jakarta"));
    assertThat(RecipientZones.of(Map.of(), "+12125550123", BERLIN)) // New York area code
        .isEqualTo(ZoneId.of("America/New_York"));
    assertThat(RecipientZones.of(Map.of("timezone", "not a zone"), "+4915112345678", null))
        .isEqualTo(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void shouldFallBackToTheSchedulesZone() {
    assertThat(RecipientZones.of(null, "120363041234567890@g.us", BERLIN)).isEqualTo(BERLIN);
    assertThat(RecipientZones.of(Map.of(), "+999123", BERLIN)).isEqualTo(BERLIN);
  }
}
