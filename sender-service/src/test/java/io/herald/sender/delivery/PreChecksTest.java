package io.herald.sender.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.DeliveryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreChecksTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration RECHECK = Duration.ofSeconds(30);
  private final PreChecks checks = new PreChecks(RECHECK);

  /** What a decision says, flattened for the table: kind, status, code. */
  private static String describe(PreCheck d) {
    return d.then(
        new PreCheck.Steps<String>() {
          @Override
          public String proceed(PreCheck.Proceed p) {
            return "proceed";
          }

          @Override
          public String hold(PreCheck.Hold h) {
            assertThat(h.recheckAt()).isEqualTo(NOW.plus(RECHECK));
            return "hold";
          }

          @Override
          public String decided(PreCheck.Decided x) {
            return x.verdict().status().name() + " " + x.verdict().code();
          }
        });
  }

  @ParameterizedTest(name = "{0}: notAfter={1} device={2}/{3}/{4}/{5} -> {6}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // condition | notAfter (s from now) | device tenant | cmd tenant | status | unusable | next
        "all fine               | -   | t1   | t1   | active | -        | proceed",
        "no deadline, paused    | -   | t1   | t1   | paused | -        | hold",
        "deadline ahead         | 5   | t1   | t1   | active | -        | proceed",
        "exactly at deadline    | 0   | t1   | t1   | active | -        | proceed",
        "past deadline          | -1  | t1   | t1   | active | -        | EXPIRED expired",
        "expired beats unknown  | -1  | -    | t1   | -      | -        | EXPIRED expired",
        "expired beats paused   | -1  | t1   | t1   | paused | -        | EXPIRED expired",
        "unknown device         | -   | -    | t1   | -      | -        | FAILED unknown_device",
        "other tenant           | -   | t2   | t1   | active | -        | FAILED tenant_mismatch",
        "tenant case and blanks | -   | ' T1 ' | t1 | active | -        | proceed",
        "device without tenant  | -   | ''   | t1   | active | -        | FAILED tenant_mismatch",
        "other tenant, paused   | -   | t2   | t1   | paused | -        | FAILED tenant_mismatch",
        "unusable config        | -   | t1   | t1   | active | too big  | FAILED invalid_device_config",
        "unusable beats paused  | -   | t1   | t1   | paused | too big  | FAILED invalid_device_config",
        "no status is active    | -   | t1   | t1   | ''     | -        | proceed",
      })
  void shouldDecideWhenCommandMeetsDevice(
      String condition,
      Integer notAfterSeconds,
      String deviceTenant,
      String cmdTenant,
      String status,
      String unusable,
      String expected) {
    Instant notAfter = notAfterSeconds == null ? null : NOW.plusSeconds(notAfterSeconds);
    Optional<Device> device =
        deviceTenant == null
            ? Optional.empty()
            : Optional.of(
                new Device(
                    "d1",
                    deviceTenant.isEmpty() ? null : deviceTenant,
                    "simulated",
                    Map.of(),
                    status == null || status.isEmpty() ? null : status,
                    null,
                    null,
                    unusable));

    assertThat(describe(checks.check(cmd(cmdTenant, notAfter), device, NOW))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "notAfter={0}s -> expired={1}")
  @CsvSource(
      nullValues = "-",
      value = {"-, false", "1, false", "0, false", "-1, true"})
  void shouldDecideExpiryBeforeAnyDeviceLookupWhenPastDeadline(
      Integer notAfterSeconds, boolean expired) {
    Instant notAfter = notAfterSeconds == null ? null : NOW.plusSeconds(notAfterSeconds);

    Optional<PreCheck> d = checks.expiry(cmd("t1", notAfter), NOW);

    assertThat(d.isPresent()).isEqualTo(expired);
    d.ifPresent(x -> assertThat(describe(x)).isEqualTo("EXPIRED expired"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"opted out, SKIPPED, opted_out", "unsupported, FAILED, unsupported_transport"})
  void shouldNameTheReasonWhenDecidedWithoutCall(String which, DeliveryStatus status, String code) {
    Verdict v = which.equals("opted out") ? Verdict.optedOut() : Verdict.unsupportedTransport("x");

    assertThat(v.status()).isEqualTo(status);
    assertThat(v.code()).isEqualTo(code);
    assertThat(v.reason()).isNotBlank();
  }

  static SendCommand cmd(String tenant, Instant notAfter) {
    Instant occ = Instant.parse("2026-03-01T09:00:00Z");
    return new SendCommand(
        1,
        CommandId.of("broadcast:b1", occ, "+620001"),
        tenant,
        "d1",
        "broadcast:b1",
        ScheduleKind.BROADCAST,
        occ,
        "+620001",
        RecipientType.INDIVIDUAL,
        null,
        "x",
        null,
        PacingSpec.none(),
        1,
        notAfter);
  }
}
