package io.herald.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.scheduler.schedule.ScheduleValidator.DeviceCheck;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleValidatorTest {

  private static final Instant NOW = Instant.parse("2026-06-01T06:00:00Z");
  private static final RuleSpec DAILY =
      new RuleSpec(
          "daily", 1, null, null, "09:00", null, null, "UTC", null, null, null, null, null, null);

  private final ScheduleValidator validator = new ScheduleValidator(3);

  private static Definition change(
      ScheduleKind kind, List<String> recipients, String text, String media, PacingSpec pacing) {
    return new Definition(
        kind.keyFor("x"),
        kind,
        "t1",
        "d1",
        "n",
        text,
        media,
        recipients,
        DAILY,
        pacing,
        true,
        null,
        1,
        NOW,
        List.of());
  }

  @Nested
  class RecipientEntries {

    @ParameterizedTest
    @CsvSource({
      "+6281234567890,+6281234567890",
      "'+62 812-3456 (7890)',+6281234567890",
      "+1.555.123.4567,+15551234567",
      "6F9619FF-8B86-4D11-B42D-00C04FC964FF,6f9619ff-8b86-4d11-b42d-00c04fc964ff"
    })
    void shouldCanonicalizeRecipientWhenItIsValid(String raw, String canonical) {
      var result =
          validator.validate(
              change(ScheduleKind.RECURRING, List.of(raw), "Hi", null, null), DeviceCheck.OK, NOW);

      assertThat(result.problems()).isEmpty();
      assertThat(result.canonicalRecipients()).containsExactly(canonical);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "006281234567",
          "+0812345678",
          "+1234567",
          "+1234567890123456",
          "not-a-number",
          ""
        })
    void shouldRejectRecipientWhenItIsNeitherE164NorUuid(String raw) {
      var result =
          validator.validate(
              change(ScheduleKind.RECURRING, List.of(raw), "Hi", null, null), DeviceCheck.OK, NOW);

      assertThat(result.problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.reason()).isEqualTo(ErrorReason.INVALID_RECIPIENTS);
                assertThat(p.message()).startsWith("recipients[0]");
              });
    }

    @Test
    void shouldKeepDuplicatesAsMarksAndValidateTheStoredListAgainUnchanged() {
      List<String> listed = List.of("+6281234567890", "+62 812-3456-7890", "+6281234567891");
      var first =
          validator.validate(
              change(ScheduleKind.RECURRING, listed, "Hi", null, null), DeviceCheck.OK, NOW);

      assertThat(first.problems()).isEmpty();
      List<String> stored = first.canonicalRecipients();
      assertThat(stored).hasSize(3); // the occurrence's recipients are what was listed
      assertThat(stored.get(0)).isEqualTo("+6281234567890");
      assertThat(Recipients.isDuplicateMark(stored.get(1))).isTrue();
      assertThat(Recipients.duplicated(stored.get(1))).isEqualTo("+6281234567890");
      assertThat(stored.get(2)).isEqualTo("+6281234567891");
      // a held schedule is validated again from its stored list
      var again =
          validator.validate(
              change(ScheduleKind.RECURRING, stored, "Hi", null, null), DeviceCheck.OK, NOW);
      assertThat(again.problems()).isEmpty();
      assertThat(again.canonicalRecipients()).isEqualTo(stored);
    }

    @Test
    void shouldRejectAnAutoPostOnADeviceWhoseTransportHasNoGroups() {
      DeviceCheck cloud =
          ScheduleValidator.checkDevice(
              "t1", new DeviceInfo(1, "d1", "t1", "whatsapp_cloud", "active", null, false));
      DeviceCheck gateway =
          ScheduleValidator.checkDevice(
              "t1", new DeviceInfo(1, "d1", "t1", "http_gateway", "active", null, false));

      var autopost =
          validator.validate(
              change(ScheduleKind.AUTOPOST, List.of("120363012345678901@g.us"), "Hi", null, null),
              cloud,
              NOW);
      var recurring =
          validator.validate(
              change(ScheduleKind.RECURRING, List.of("+6281234567890"), "Hi", null, null),
              cloud,
              NOW);
      var onGateway =
          validator.validate(
              change(ScheduleKind.AUTOPOST, List.of("120363012345678901@g.us"), "Hi", null, null),
              gateway,
              NOW);

      assertThat(cloud).isEqualTo(DeviceCheck.OK_WITHOUT_GROUPS);
      assertThat(autopost.problems())
          .singleElement()
          .satisfies(p -> assertThat(p.message()).contains("Cloud API, which has no groups"));
      assertThat(recurring.valid()).isTrue();
      assertThat(onGateway.valid()).isTrue();
    }

    @Test
    void shouldAcceptGroupIdsWhenTheScheduleIsAnAutoPost() {
      var result =
          validator.validate(
              change(ScheduleKind.AUTOPOST, List.of("120363012345678901@g.us"), "Hi", null, null),
              DeviceCheck.OK,
              NOW);

      assertThat(result.valid()).isTrue();
    }

    @Test
    void shouldCountWithoutListingWhenTooManyEntries() {
      var result =
          validator.validate(
              change(
                  ScheduleKind.RECURRING,
                  List.of("+6281234567890", "+6281234567891", "+6281234567892", "+6281234567893"),
                  "Hi",
                  null,
                  null),
              DeviceCheck.OK,
              NOW);

      assertThat(result.problems())
          .singleElement()
          .satisfies(p -> assertThat(p.message()).contains("4 entries").contains("maximum of 3"));
    }
  }

  @Nested
  class Content {

    @ParameterizedTest
    @CsvSource(
        value = {
          "'  ',NULL,message must not be blank",
          "Hi,ftp://x/y.png,http(s)",
          "Hi,https:///nohost,no host",
          "Hi,javascript:alert(1),http(s)"
        },
        nullValues = "NULL")
    void shouldRejectContentWhenTextOrMediaIsBad(String text, String media, String expected) {
      var result =
          validator.validate(
              change(ScheduleKind.RECURRING, List.of("+6281234567890"), text, media, null),
              DeviceCheck.OK,
              NOW);

      assertThat(result.problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.reason()).isEqualTo(ErrorReason.INVALID_CONTENT);
                assertThat(p.message()).contains(expected);
              });
    }

    @Test
    void shouldAcceptBlankTextWhenMediaIsThere() {
      var result =
          validator.validate(
              change(
                  ScheduleKind.RECURRING,
                  List.of("+6281234567890"),
                  "",
                  "https://cdn.example.com/a.png",
                  null),
              DeviceCheck.OK,
              NOW);

      assertThat(result.valid()).isTrue();
    }
  }

  @Nested
  class Devices {

    @Test
    void shouldHoldInsteadOfRejectWhenTheDeviceIsUnknown() {
      var result =
          validator.validate(
              change(
                  ScheduleKind.RECURRING, List.of("+6281234567890"), "Hi", null, PacingSpec.none()),
              DeviceCheck.UNKNOWN,
              NOW);

      assertThat(result.problems()).isEmpty();
      assertThat(result.deviceUnknown()).isTrue();
      assertThat(result.valid()).isFalse();
    }

    @Test
    void shouldClassifyDeviceByTenantWhenItIsKnown() {
      DeviceInfo mine = new DeviceInfo(1, "d1", "t1", "simulated", "active", null, false);
      DeviceInfo theirs = new DeviceInfo(1, "d1", "t2", "simulated", "active", null, false);
      DeviceInfo deleted = new DeviceInfo(1, "d1", "t1", "simulated", "active", null, true);

      assertThat(ScheduleValidator.checkDevice("t1", mine)).isEqualTo(DeviceCheck.OK);
      assertThat(ScheduleValidator.checkDevice("t1", theirs)).isEqualTo(DeviceCheck.FOREIGN);
      assertThat(ScheduleValidator.checkDevice("t1", deleted)).isEqualTo(DeviceCheck.UNKNOWN);
      assertThat(ScheduleValidator.checkDevice("t1", null)).isEqualTo(DeviceCheck.UNKNOWN);
    }
  }

  @Nested
  class Pacing {

    @Test
    void shouldReportEachPacingProblemWhenSeveralAreOutOfRange() {
      var result =
          validator.validate(
              change(
                  ScheduleKind.RECURRING,
                  List.of("+6281234567890"),
                  "Hi",
                  null,
                  new PacingSpec("turbo", 99_999, true, -1, 100_000)),
              DeviceCheck.OK,
              NOW);

      assertThat(result.problems())
          .hasSize(4)
          .allSatisfy(p -> assertThat(p.reason()).isEqualTo(ErrorReason.INVALID_PACING));
    }
  }
}
