package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's source rules for the bench module, as the services check them in their architecture
 * tests (scheduler-service ArchitectureTest, sender-service DependencyRuleTest): the bench is main
 * code too, and grew past the bound while nothing looked.
 */
class BenchSourceRulesTest {

  /** The bench module's main sources; Surefire runs with the module as working directory. */
  private static final Path MAIN = Path.of("src/main/java");

  /** The most lines a main source file may have (issue 14: no god classes). */
  private static final int MAX_MAIN_FILE_LINES = 400;

  /**
   * Main sources allowed past {@link #MAX_MAIN_FILE_LINES}, relative to {@link #MAIN}: generated
   * code and codec tables only. None in the bench.
   */
  private static final Set<String> LONG_MAIN_FILES = Set.of();

  @Test
  void shouldStayWithinFourHundredLinesWhenMainSourceFileIsNotAllowListed() throws IOException {
    List<String> tooLong = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        checked++;
        String rel = MAIN.relativize(p).toString().replace('\\', '/');
        long lines = Files.readAllLines(p).size();
        if (lines > MAX_MAIN_FILE_LINES && !LONG_MAIN_FILES.contains(rel)) {
          tooLong.add(rel + " has " + lines + " lines");
        }
      }
    }
    // Guards the test itself: a moved source root would make the rule pass vacuously.
    assertThat(checked).as("main sources found under %s", MAIN.toAbsolutePath()).isPositive();
    assertThat(tooLong)
        .as("split these by responsibility, or allow-list generated and codec tables only")
        .isEmpty();
  }
}
