package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code herald up} runs on the class path this module's build writes to {@code
 * target/runtime-classpath.txt} (the herald script reads it). The test harness must not be on it:
 * the launchers of the local broker and database are main code.
 */
class RuntimeClassPathTest {

  private static final List<String> TEST_LIBRARIES =
      List.of(
          "/org/junit/",
          "/junit/",
          "/org/testcontainers/",
          "/com/github/docker-java/",
          "herald-test-support",
          "/org/awaitility/",
          "/org/assertj/",
          "/org/opentest4j/");

  @Test
  void shouldCarryNoTestLibraryWhenHeraldUpRuns() throws Exception {
    Path file = Path.of("target", "runtime-classpath.txt");
    assertThat(file)
        .as("written by the runtime-classpath execution in quickstart/pom.xml")
        .exists();
    List<String> entries = Arrays.asList(Files.readString(file).trim().split(":"));

    assertThat(entries)
        .as("the services it runs")
        .anyMatch(e -> e.contains("herald-sender-service"));
    List<String> offending =
        entries.stream()
            .filter(e -> TEST_LIBRARIES.stream().anyMatch(e::contains))
            .collect(Collectors.toList());
    assertThat(offending).as("test libraries on herald up's class path").isEmpty();
  }
}
