package io.herald.runtime.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.runtime.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ServiceMainTest {

  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private static final class App implements AutoCloseable {
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void shouldPrintEveryProblemAndExitTwoWithoutStartingWhenTheConfigurationIsInvalid() {
    AtomicBoolean started = new AtomicBoolean();

    int code =
        ServiceMain.<String, App>run(
            "sender",
            () -> {
              throw new ConfigException(List.of("A is missing", "B is not a duration"));
            },
            c -> {
              started.set(true);
              return new App();
            },
            a -> 0,
            err,
            false);

    assertThat(code).isEqualTo(ServiceMain.EXIT_CONFIG);
    assertThat(started).isFalse();
    assertThat(errBytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "Herald sender: invalid configuration:",
                "  - A is missing",
                "  - B is not a duration",
                ""));
  }

  @Test
  void shouldExitOneWhenTheServiceFailsToStart() {
    int code =
        ServiceMain.<String, App>run(
            "console",
            () -> "config",
            c -> {
              throw new IllegalStateException("port in use");
            },
            a -> 0,
            err,
            false);

    assertThat(code).isEqualTo(ServiceMain.EXIT_FAILED);
  }

  @Test
  void shouldExitZeroWithoutWaitingWhenTheConfigurationRunsNothing() {
    AtomicBoolean awaited = new AtomicBoolean();

    int code =
        ServiceMain.<String, App>run(
            "console",
            () -> "disabled",
            c -> null,
            a -> {
              awaited.set(true);
              return 0;
            },
            err,
            false);

    assertThat(code).isEqualTo(ServiceMain.EXIT_OK);
    assertThat(awaited).isFalse();
  }

  @Test
  void shouldReturnTheServicesOwnExitCodeWhenItEnds() {
    App app = new App();

    int code = ServiceMain.run("sender", () -> "config", c -> app, a -> 1, err, false);

    assertThat(code).isEqualTo(ServiceMain.EXIT_FAILED);
    assertThat(app.closed).as("closing is the shutdown hook's, not the wait's").isFalse();
  }
}
