package io.herald.sender.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The package boundaries of STYLE.md, checked on the imports of the sources (no ArchUnit). */
class DependencyRuleTest {

  private static final Path MAIN = Path.of("src/main/java/io/herald/sender");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

  private static List<String> imports(Path file) throws IOException {
    Matcher m = IMPORT.matcher(Files.readString(file));
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lane/Pacer.java", "lane/PacingPolicy.java", "lane/RetryBackoff.java",
        "transport/OutcomeClassifier.java", "transport/Outcome.java", "transport/ErrorClass.java",
        "transport/TransportResponse.java", "consume/CommittableOffsets.java",
        "consume/CommandValidator.java", "projector/FailureClassifier.java"
      })
  void shouldImportOnlyJavaAndContractsWhenPure(String file) throws IOException {
    assertThat(imports(MAIN.resolve(file)))
        .allMatch(
            i -> i.startsWith("java.") || i.startsWith("io.herald.contracts."),
            "java.* or contracts");
  }

  @Test
  void shouldTouchJdbcOnlyInLedgerAndProjectorWhenAnyPackage() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      List<Path> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p ->
                      !p.startsWith(MAIN.resolve("ledger"))
                          && !p.startsWith(MAIN.resolve("projector")))
              .filter(p -> !p.startsWith(MAIN.resolve("app"))) // app wires the DataSource
              .filter(
                  p ->
                      uncheck(p).stream()
                          .anyMatch(i -> i.startsWith("java.sql") || i.startsWith("javax.sql")))
              .collect(Collectors.toList());
      assertThat(offenders).isEmpty();
    }
  }

  @Test
  void shouldKeepKafkaOutOfLanesLedgerAndTransportsWhenAnyFile() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      List<Path> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p ->
                      p.startsWith(MAIN.resolve("lane"))
                          || p.startsWith(MAIN.resolve("ledger"))
                          || p.startsWith(MAIN.resolve("transport"))
                          || p.startsWith(MAIN.resolve("config")))
              .filter(p -> uncheck(p).stream().anyMatch(i -> i.startsWith("org.apache.kafka")))
              .collect(Collectors.toList());
      assertThat(offenders).isEmpty();
    }
  }

  private static List<String> uncheck(Path p) {
    try {
      return imports(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
