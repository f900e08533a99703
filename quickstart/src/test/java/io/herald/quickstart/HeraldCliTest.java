package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeraldCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return HeraldCli.run(
        List.of(args),
        // a port nothing listens on: commands that reach the database fail fast and cleanly
        Map.of("HERALD_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1"),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldPrintUsageAndExit2WhenCommandIsUnknown() {
    assertThat(run("launch")).isEqualTo(2);
    assertThat(err())
        .startsWith("herald: unknown command 'launch'")
        .contains("usage: herald <command>");
  }

  @Test
  void shouldPrintUsageAndExit2WhenNoCommandIsGiven() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("commands:");
  }

  @ParameterizedTest
  @CsvSource({"up", "preview", "status", "devices", "resume-device"})
  void shouldPrintHelpWhenAnyCommandIsAskedForIt(String command) {
    assertThat(run(command, "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).containsIgnoringCase("usage");
    assertThat(err()).isEmpty();
  }

  @Test
  void shouldRejectAMalformedDeviceIdWithOneLineWhenResuming() {
    assertThat(run("resume-device", "not-a-uuid")).isEqualTo(2);
    assertThat(err())
        .startsWith("herald resume-device: 'not-a-uuid' is not a device id")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @ParameterizedTest
  @CsvSource({
    "--id,not-a-uuid",
    "--id,1-2-3-4-5",
    "--id,6f1c2b9e-1d2a-4c3b-9e8f-00000000000",
    "--id=+15551234567,"
  })
  void shouldRejectAMalformedDefinitionIdWithOneLineWhenShowingStatus(String a, String b) {
    String[] args = b == null ? new String[] {"status", a} : new String[] {"status", a, b};
    assertThat(run(args)).isEqualTo(2);
    assertThat(err().lines().findFirst().orElseThrow())
        .startsWith("herald status: '")
        .endsWith("' is not a definition id (a UUID)");
    assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void shouldAskForTheIdWhenStatusGetsIdWithoutOne() {
    assertThat(run("status", "--id")).isEqualTo(2);
    assertThat(err()).startsWith("herald status: --id needs a DEFINITION_ID");
  }

  @Test
  void shouldRejectAnArgumentAfterTheIdWhenShowingStatus() {
    assertThat(run("status", "--id", "6f1c2b9e-1d2a-4c3b-9e8f-000000000001", "x")).isEqualTo(2);
    assertThat(err()).startsWith("herald status: unexpected argument 'x'");
  }

  @Test
  void shouldReadTheIdInBothFormsWhenShowingStatus() {
    String id = "6F1C2B9E-1D2A-4C3B-9E8F-000000000001";
    assertThat(HeraldCli.statusId(List.of("--id", id)))
        .isEqualTo(HeraldCli.statusId(List.of("--id=" + id.toLowerCase())))
        .hasToString(id.toLowerCase());
    assertThat(HeraldCli.statusId(List.of())).isNull();
  }

  @Test
  void shouldSayWhereItLookedWhenTheDatabaseIsUnreachableForOneDefinition() {
    assertThat(run("status", "--id", "6f1c2b9e-1d2a-4c3b-9e8f-000000000001")).isEqualTo(1);
    assertThat(err()).startsWith("herald status: cannot read PostgreSQL at ");
  }

  @Test
  void shouldSayWhereItLookedWhenTheDatabaseIsUnreachable() {
    assertThat(run("status")).isEqualTo(1);
    assertThat(err())
        .startsWith("herald status: cannot read PostgreSQL at jdbc:postgresql://127.0.0.1:1/")
        .contains("HERALD_JDBC_URL")
        .doesNotContain("\tat ");
  }

  @Test
  void shouldRejectUnknownOptionWhenStartingUp() {
    assertThat(run("up", "--fast")).isEqualTo(2);
    assertThat(err()).startsWith("herald up: unknown option '--fast'").contains("--exit-after");
  }

  @Test
  void shouldRejectABadDurationWhenStartingUp() {
    assertThat(run("up", "--exit-after", "soon")).isEqualTo(2);
    assertThat(err()).startsWith("herald up: 'soon' is not a duration");
  }

  @ParameterizedTest
  @CsvSource({"90s,PT1M30S", "5m,PT5M", "1h,PT1H", "PT2M,PT2M", "pt45s,PT45S"})
  void shouldReadShortAndIsoDurationsWhenParsingExitAfter(String text, String expected) {
    assertThat(UpCommand.duration(text)).isEqualTo(Duration.parse(expected));
  }

  @Test
  void shouldReuseDataByDefaultAndResetOnlyWhenAsked() {
    UpCommand.Options defaults = UpCommand.parse(List.of(), Path.of("/x/.herald"));
    assertThat(defaults.reset()).isFalse();
    assertThat(defaults.demo()).isTrue();
    assertThat(defaults.dataDir()).isEqualTo(Path.of("/x/.herald"));
    assertThat(UpCommand.parse(List.of("--reset", "--no-demo"), Path.of(".")).reset()).isTrue();
    assertThatThrownBy(() -> UpCommand.parse(List.of("--data-dir"), Path.of(".")))
        .hasMessage("--data-dir needs a value");
  }
}
