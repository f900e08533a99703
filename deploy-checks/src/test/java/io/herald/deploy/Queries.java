package io.herald.deploy;

import static io.herald.deploy.Repo.at;
import static io.herald.deploy.Repo.list;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Every PromQL expression in deploy/: the Grafana dashboards' targets and the alert rules. */
final class Queries {

  private Queries() {}

  /** Expression by where it is ("dashboard herald-overview.json / Lane depth", "alert X"). */
  static Map<String, String> all() {
    Map<String, String> out = new LinkedHashMap<>(dashboards());
    out.putAll(alerts());
    return out;
  }

  static Map<String, String> dashboards() {
    Map<String, String> out = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.list(Repo.deploy("grafana/dashboards"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        collect(json.readTree(f.toFile()), "dashboard " + f.getFileName(), out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void collect(JsonNode node, String where, Map<String, String> out) {
    if (node.isObject()) {
      String here =
          node.has("title") && node.get("title").isTextual()
              ? where.replaceAll(" / .*", "") + " / " + node.get("title").asText()
              : where;
      JsonNode expr = node.get("expr");
      if (expr != null && expr.isTextual() && !expr.asText().isBlank()) {
        String key = here + " [" + (node.has("refId") ? node.get("refId").asText() : "?") + "]";
        out.put(key, expr.asText());
      }
      node.fields().forEachRemaining(e -> collect(e.getValue(), here, out));
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, where, out));
    }
  }

  static Map<String, String> alerts() {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Object> rules = Repo.yaml(Repo.deploy("prometheus/alerts.yml"));
    for (Object group : list(rules.get("groups"), "groups")) {
      for (Object rule : list(at(group, "rules"), "rules")) {
        String name =
            at(rule, "alert") != null
                ? "alert " + at(rule, "alert")
                : "record " + at(rule, "record");
        out.put(name, String.valueOf(at(rule, "expr")));
      }
    }
    return out;
  }
}
