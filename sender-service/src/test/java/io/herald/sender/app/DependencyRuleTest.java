package io.herald.sender.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
  private static final String SENDER = "io.herald.sender.";
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
        "lane/Pacer.java",
        "lane/PacingPolicy.java",
        "lane/RetryBackoff.java",
        "transport/OutcomeClassifier.java",
        "delivery/Outcome.java",
        "delivery/ErrorClass.java",
        "transport/TransportResponse.java",
        "consume/CommittableOffsets.java",
        "consume/CommandValidator.java",
        "ledger/ClaimRules.java",
        "webhook/ProviderStatus.java",
        "webhook/StatusTransition.java",
        "webhook/OptOutKeywords.java",
        "webhook/ReportedLimit.java"
      })
  void shouldImportOnlyJavaContractsAndDeliveryWhenPure(String file) throws IOException {
    assertThat(imports(MAIN.resolve(file)))
        .allMatch(
            i ->
                i.startsWith("java.")
                    || i.startsWith("io.herald.contracts.")
                    || i.startsWith("io.herald.sender.delivery."),
            "java.*, contracts or the pure delivery core");
  }

  @Test
  void shouldImportOnlyJavaAndContractsWhenDeliveryCore() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN.resolve("delivery"))) {
      List<String> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .flatMap(p -> uncheck(p).stream().map(i -> p.getFileName() + " imports " + i))
              .filter(
                  line -> {
                    String i = line.substring(line.indexOf(" imports ") + 9);
                    return !i.startsWith("java.") && !i.startsWith("io.herald.contracts.");
                  })
              .collect(Collectors.toList());
      assertThat(offenders).isEmpty();
    }
  }

  @Test
  void shouldHaveNoCycleWhenSenderPackagesImportEachOther() throws IOException {
    Map<String, Set<String>> edges = packageImports();
    List<String> cycles = new ArrayList<>();
    for (String from : edges.keySet()) {
      // a package that reaches itself through its imports is in a cycle
      Deque<List<String>> paths = new ArrayDeque<>();
      paths.push(List.of(from));
      Set<String> seen = new HashSet<>();
      while (!paths.isEmpty()) {
        List<String> path = paths.pop();
        for (String to : edges.getOrDefault(path.get(path.size() - 1), Set.of())) {
          if (to.equals(from)) {
            cycles.add(String.join(" -> ", path) + " -> " + from);
          } else if (seen.add(to)) {
            List<String> longer = new ArrayList<>(path);
            longer.add(to);
            paths.push(longer);
          }
        }
      }
    }
    assertThat(cycles).isEmpty();
  }

  @Test
  void shouldSeeTheKnownDirectionWhenPackagesImportEachOther() throws IOException {
    // guards the cycle check itself: it reads the imports it is meant to read
    Map<String, Set<String>> edges = packageImports();
    assertThat(edges.get("lane")).contains("delivery", "ledger", "transport");
    assertThat(edges.get("transport")).contains("delivery");
    assertThat(edges.getOrDefault("delivery", Set.of())).isEmpty();
    // ports and adapters: the adapter depends on its ports, never the other way
    assertThat(edges.get("ledger.jdbc")).contains("ledger");
    assertThat(edges.get("ledger")).doesNotContain("ledger.jdbc");
  }

  @Test
  void shouldSeeOnlyThePortsWhenLanesAndConsumerUseTheLedger() throws IOException {
    // the adapters are wired by app; everyone else programs against the ports
    Map<String, Set<String>> edges = packageImports();
    List<String> offenders =
        edges.entrySet().stream()
            .filter(e -> !e.getKey().equals("ledger.jdbc") && e.getValue().contains("ledger.jdbc"))
            .map(Map.Entry::getKey)
            .collect(Collectors.toList());
    assertThat(offenders).isEmpty();
  }

  @Test
  void shouldImportNoJdbcNorAdapterWhenLedgerPort() throws IOException {
    try (Stream<Path> files = Files.list(MAIN.resolve("ledger"))) {
      List<String> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .flatMap(p -> uncheck(p).stream().map(i -> p.getFileName() + " imports " + i))
              .filter(
                  line -> {
                    String i = line.substring(line.indexOf(" imports ") + 9);
                    return i.startsWith("java.sql")
                        || i.startsWith("javax.sql")
                        || i.startsWith("org.postgresql")
                        || i.startsWith("com.zaxxer")
                        || i.startsWith(SENDER + "ledger.jdbc");
                  })
              .collect(Collectors.toList());
      assertThat(offenders).isEmpty();
    }
  }

  /** Packages whose sub-packages count as packages of their own (ports and their adapters). */
  private static final Set<String> SPLIT_PACKAGES = Set.of("ledger");

  /**
   * The package a sender class belongs to, relative to {@code io.herald.sender}: its top-level
   * package, or {@code <top>.<sub>} below a {@link #SPLIT_PACKAGES split} one (e.g. {@code
   * ledger.jdbc}), so the edge between the ports and their adapters is seen.
   */
  private static String packageOf(List<String> segments) {
    String top = segments.get(0);
    if (SPLIT_PACKAGES.contains(top)
        && segments.size() > 2
        && Character.isLowerCase(segments.get(1).charAt(0))) {
      return top + "." + segments.get(1);
    }
    return top;
  }

  /**
   * Sender package -> the other sender packages its main sources import (app excluded: it wires).
   */
  private static Map<String, Set<String>> packageImports() throws IOException {
    Map<String, Set<String>> edges = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path p :
          files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
        Path rel = MAIN.relativize(p);
        if (rel.getName(0).toString().equals("app") || rel.getNameCount() < 2) {
          continue;
        }
        List<String> segments = new ArrayList<>();
        rel.forEach(part -> segments.add(part.toString()));
        String from = packageOf(segments);
        Set<String> to = edges.computeIfAbsent(from, k -> new TreeSet<>());
        for (String i : imports(p)) {
          if (i.startsWith(SENDER)) {
            String pkg = packageOf(List.of(i.substring(SENDER.length()).split("\\.")));
            if (!pkg.equals(from)) {
              to.add(pkg);
            }
          }
        }
      }
    }
    return edges;
  }

  @Test
  void shouldTouchJdbcOnlyInLedgerAdapterAndProjectorWhenAnyPackage() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      List<Path> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p ->
                      !p.startsWith(MAIN.resolve("ledger/jdbc"))
                          && !p.startsWith(MAIN.resolve("projector")))
              .filter(p -> !p.startsWith(MAIN.resolve("app"))) // app wires the DataSource
              // the webhook projection's and the device prober's JDBC adapters, named for it; the
              // rest of those packages stays pure
              .filter(
                  p ->
                      !((p.startsWith(MAIN.resolve("webhook"))
                              || p.startsWith(MAIN.resolve("health")))
                          && p.getFileName().toString().startsWith("Jdbc")))
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

  /** The most lines a main source file may have (issue 14: no god classes). */
  private static final int MAX_MAIN_FILE_LINES = 400;

  /** Main sources allowed past {@link #MAX_MAIN_FILE_LINES}, relative to {@link #MAIN}. */
  /** None left: every sender class is within the bound (issue 14). */
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
    assertThat(checked).as("main sources found under %s", MAIN).isPositive();
    assertThat(tooLong)
        .as("split these by responsibility, or allow-list generated and codec tables only")
        .isEmpty();
  }
}
