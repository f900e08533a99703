package io.herald.webhook.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The receiver's package boundaries (each package-info says them), checked on the imports of the
 * sources, as the sender's DependencyRuleTest does: the decisions stay pure, only {@code publish}
 * touches Kafka, only {@code http} and {@code app} the HTTP server.
 */
class DependencyRuleTest {

  private static final Path MAIN = Path.of("src/main/java/io/herald/webhook");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

  /** "File imports x" for every import of the package's sources that {@code allowed} refuses. */
  private static List<String> offenders(String pkg, Predicate<String> allowed) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .forEach(
              p -> {
                try {
                  Matcher m = IMPORT.matcher(Files.readString(p));
                  while (m.find()) {
                    if (!allowed.test(m.group(1))) {
                      out.add(p.getFileName() + " imports " + m.group(1));
                    }
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return out;
  }

  @Test
  void shouldImportOnlyJavaJacksonAndContractsWhenDeciding() throws IOException {
    assertThat(
            offenders(
                "check",
                i ->
                    i.startsWith("java.")
                        || i.startsWith("javax.crypto.")
                        || i.startsWith("com.fasterxml.jackson.")
                        || i.startsWith("io.herald.contracts.")))
        .isEmpty();
  }

  @Test
  void shouldReachKafkaOnlyThroughThePublishPackageAndTheApp() throws IOException {
    for (String pkg : List.of("check", "http", "metrics", "config")) {
      assertThat(offenders(pkg, i -> !i.startsWith("org.apache.kafka.")))
          .as(pkg + " imports Kafka")
          .isEmpty();
    }
  }

  @Test
  void shouldServeHttpOnlyFromTheHttpPackageAndTheApp() throws IOException {
    for (String pkg : List.of("check", "publish", "metrics", "config")) {
      assertThat(offenders(pkg, i -> !i.startsWith("com.sun.net.httpserver.")))
          .as(pkg + " imports the HTTP server")
          .isEmpty();
    }
  }

  @Test
  void shouldNeverImportTheDatabaseWhenAtTheEdge() throws IOException {
    // ADR 0021 §3: no database connection, so a slow database never delays an answer to Meta
    for (String pkg : List.of("app", "check", "http", "publish", "metrics", "config")) {
      assertThat(offenders(pkg, i -> !i.startsWith("java.sql.") && !i.startsWith("javax.sql.")))
          .as(pkg + " imports JDBC")
          .isEmpty();
    }
  }
}
