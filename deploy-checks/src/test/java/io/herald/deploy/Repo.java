package io.herald.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Files of the repository the checks read, and YAML loading (anchors and merge keys resolved). */
final class Repo {

  private Repo() {}

  static Path root() {
    String dir = System.getProperty("herald.repo.dir");
    Path p = dir == null || dir.startsWith("${") ? Path.of("..") : Path.of(dir);
    p = p.toAbsolutePath().normalize();
    if (!Files.isDirectory(p.resolve("deploy"))) {
      throw new IllegalStateException("No deploy/ under " + p + " (set -Dherald.repo.dir)");
    }
    return p;
  }

  static Path deploy(String relative) {
    return root().resolve("deploy").resolve(relative);
  }

  static String projectVersion() {
    return property("herald.project.version");
  }

  static String property(String name) {
    String v = System.getProperty(name);
    if (v == null || v.startsWith("${")) {
      throw new IllegalStateException(
          "System property " + name + " is not set (run through Maven)");
    }
    return v;
  }

  /** One YAML document as maps, lists and scalars. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(Path file) {
    Object doc = yamlAll(file).get(0);
    if (!(doc instanceof Map)) {
      throw new IllegalStateException(file + ": expected a mapping at the top");
    }
    return (Map<String, Object>) doc;
  }

  /** Every document of a multi-document YAML file, empty documents left out. */
  static List<Object> yamlAll(Path file) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    List<Object> docs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file)) {
      for (Object d : yaml.loadAll(r)) {
        if (d != null) {
          docs.add(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (docs.isEmpty()) {
      throw new IllegalStateException(file + ": no YAML document");
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new AssertionError(what + ": expected a mapping, got " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    if (!(o instanceof List)) {
      throw new AssertionError(what + ": expected a list, got " + o);
    }
    return (List<Object>) o;
  }

  /** Follows a path of keys; null when a step is missing. */
  static Object at(Object node, String... keys) {
    Object cur = node;
    for (String k : keys) {
      if (!(cur instanceof Map)) {
        return null;
      }
      cur = ((Map<?, ?>) cur).get(k);
    }
    return cur;
  }
}
