package io.herald.scheduler.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's package boundaries (STYLE.md), checked on the imports of the main sources, so
 * that `./mvnw verify` fails on a violation (buckpal's dependency rule, Kafka's import control; no
 * ArchUnit). A new first-level package is a domain package unless listed as an edge below.
 */
class ArchitectureTest {

  private static final Path MAIN = Path.of("src/main/java/io/herald/scheduler");
  private static final String BASE = "io.herald.scheduler.";
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

  /** Packages at the edges: they translate between the domain and Kafka, Debezium or JDBC. */
  private static final Set<String> EDGES =
      Set.of("app", "cdc", "cli", "config", "projector", "topology", "store", "metrics");

  /** Which edge may import which technology. */
  private static final Map<String, Set<String>> TECHNOLOGY =
      Map.of(
          "org.apache.kafka.streams.", Set.of("topology", "store", "app"),
          "io.debezium.", Set.of("cdc"),
          "java.sql.", Set.of("cdc", "cli", "projector", "app"),
          "javax.sql.", Set.of("cdc", "cli", "projector", "app"),
          "java.net.http.", Set.of(),
          "com.sun.net.httpserver.", Set.of());

  /** First-level package → its main sources' imports. */
  private static Map<String, List<String>> importsByPackage() {
    Map<String, List<String>> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .forEach(
              p -> {
                Path rel = MAIN.relativize(p);
                if (rel.getNameCount() < 2) {
                  return; // no classes directly in the root package
                }
                String pkg = rel.getName(0).toString();
                out.computeIfAbsent(pkg, k -> new ArrayList<>()).addAll(imports(p));
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static List<String> imports(Path file) {
    try {
      Matcher m = IMPORT.matcher(Files.readString(file));
      List<String> out = new ArrayList<>();
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLevel(String imported) {
    String rest = imported.substring(BASE.length());
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  @Test
  void shouldImportOnlyJavaContractsAndOtherDomainPackagesWhenDomain() {
    List<String> offenders = new ArrayList<>();
    importsByPackage()
        .forEach(
            (pkg, imports) -> {
              if (EDGES.contains(pkg)) {
                return;
              }
              for (String i : imports) {
                boolean ok =
                    (i.startsWith("java.")
                            && !i.startsWith("java.sql.")
                            && !i.startsWith("java.net.http."))
                        || i.startsWith("io.herald.contracts.")
                        // phone-number metadata (a recipient's zone): pure data, no I/O
                        || (pkg.equals("render") && i.startsWith("com.google.i18n.phonenumbers."))
                        || (i.startsWith(BASE) && !EDGES.contains(firstLevel(i)));
                if (!ok) {
                  offenders.add(pkg + " imports " + i);
                }
              }
            });
    assertThat(offenders).as("domain packages (rule, timer, render, ...) stay pure").isEmpty();
  }

  @Test
  void shouldUseEachTechnologyOnlyInItsEdgeWhenAnyPackage() {
    List<String> offenders = new ArrayList<>();
    importsByPackage()
        .forEach(
            (pkg, imports) -> {
              for (String i : imports) {
                TECHNOLOGY.forEach(
                    (prefix, allowed) -> {
                      if (i.startsWith(prefix) && !allowed.contains(pkg)) {
                        offenders.add(pkg + " imports " + i);
                      }
                    });
              }
            });
    assertThat(offenders).isEmpty();
  }

  @Test
  void shouldHaveNoCycleBetweenPackagesWhenAnyPackage() {
    Map<String, Set<String>> graph = new TreeMap<>();
    importsByPackage()
        .forEach(
            (pkg, imports) -> {
              Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
              imports.stream()
                  .filter(i -> i.startsWith(BASE))
                  .map(ArchitectureTest::firstLevel)
                  .filter(d -> !d.equals(pkg))
                  .forEach(deps::add);
            });
    List<String> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      findCycle(graph, start, start, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
    }
    assertThat(cycles).isEmpty();
  }

  private static void findCycle(
      Map<String, Set<String>> graph,
      String start,
      String at,
      List<String> path,
      Set<String> seen,
      List<String> cycles) {
    for (String next : graph.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (seen.add(next)) {
        path.add(next);
        findCycle(graph, start, next, path, seen, cycles);
        path.remove(path.size() - 1);
      }
    }
  }

  /** Wire payloads the lifecycle must not depend on: the topology translates them (ADR 0009). */
  private static final Set<String> WIRE_ONLY_AT_EDGES =
      Set.of("io.herald.contracts.event.ScheduleChange", "io.herald.contracts.event.ChangeOp");

  @Test
  void shouldKeepTheWireScheduleChangeOutOfTheLifecycleWhenSchedulePackage() {
    List<String> offenders =
        importsByPackage().getOrDefault("schedule", List.of()).stream()
            .filter(WIRE_ONLY_AT_EDGES::contains)
            .toList();

    assertThat(importsByPackage()).containsKey("schedule");
    assertThat(offenders).as("schedule works on its own Definition").isEmpty();
  }

  @Test
  void shouldSeeTheDomainPackagesThisTestIsAbout() {
    // Guards the test itself: a moved source root would make every rule above pass vacuously.
    assertThat(importsByPackage().keySet()).contains("rule", "timer", "render", "topology", "cdc");
  }

  /** The most lines a main source file may have (issue 14: no god classes). */
  private static final int MAX_MAIN_FILE_LINES = 400;

  /** Main sources allowed past {@link #MAX_MAIN_FILE_LINES}, relative to {@link #MAIN}. */
  private static final Set<String> LONG_MAIN_FILES =
      Set.of(
          // codec tables: one encoder and decoder per stored type, read side by side
          "store/StoreCodecs.java");

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
