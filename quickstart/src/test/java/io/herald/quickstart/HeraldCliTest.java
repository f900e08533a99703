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
