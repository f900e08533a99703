package io.herald.console.app;

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
 * The console's package boundaries, checked on the sources' imports (as the webhook receiver's
 * DependencyRuleTest does): pages and credentials know neither Kafka, JDBC nor the HTTP server;
 * reads and actions know no HTTP and no HTML; only {@code http} and {@code app} touch the server.
 */
class DependencyRuleTest {

  private static final Path MAIN = Path.of("src/main/java/io/herald/console");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

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

  private static boolean kafkaJdbcOrServer(String i) {
    return i.startsWith("org.apache.kafka.")
        || i.startsWith("java.sql.")
        || i.startsWith("com.sun.net.httpserver.");
  }

  @Test
  void viewsAndCredentialsAreFreeOfKafkaJdbcAndTheServer() throws IOException {
    assertThat(offenders("view", i -> !kafkaJdbcOrServer(i))).isEmpty();
    assertThat(offenders("auth", i -> !kafkaJdbcOrServer(i) && !i.startsWith("io.herald.console.")))
        .isEmpty();
  }

  @Test
  void readsAndActionsKnowNoHttpAndNoHtml() throws IOException {
    Predicate<String> allowed =
        i ->
            !i.startsWith("com.sun.net.httpserver.")
                && !i.startsWith("io.herald.console.http.")
                && !i.startsWith("io.herald.console.view.");
    assertThat(offenders("read", allowed)).isEmpty();
    assertThat(offenders("action", allowed)).isEmpty();
  }

  @Test
  void mainSourcesStayUnder400Lines() throws IOException {
    List<String> tooLong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        long lines = Files.readAllLines(p).size();
        if (lines > 400) {
          tooLong.add(p + ": " + lines);
        }
      }
    }
    assertThat(tooLong).isEmpty();
  }
}
