package io.herald.deploy;

import static io.herald.deploy.Repo.at;
import static io.herald.deploy.Repo.list;
import static io.herald.deploy.Repo.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose/docker-compose.yml cannot run here (no Docker engine), so this checks what can be
 * checked: it parses; the parts are there (KRaft Kafka, PostgreSQL with logical replication, 2
 * schedulers, 3 senders, a webhook receiver, Prometheus, Grafana); each Herald service runs the
 * image the build produces, with only variables the service reads and an environment it accepts;
 * published ports do not clash; Prometheus scrapes every instance on its admin port.
 */
class ComposeFileTest {

  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

  private static Path file;
  private static Map<String, Object> compose;
  private static Map<String, Object> services;

  @BeforeAll
  static void load() {
    file = Repo.deploy("compose/docker-compose.yml");
    compose = Repo.yaml(file);
    services = map(compose.get("services"), "services");
  }

  @Test
  void hasTheParts() {
    assertThat(services).containsKeys("kafka", "postgres", "prometheus", "grafana");
    assertThat(instances(ServiceEnv.SCHEDULER)).hasSize(2);
    assertThat(instances(ServiceEnv.SENDER)).hasSize(3);
    assertThat(instances(ServiceEnv.WEBHOOK)).hasSize(1);
    assertThat(instances(ServiceEnv.CONSOLE)).hasSize(1);
  }

  @Test
  void theConsoleRunsOnlyWhenAskedFor() {
    for (String name : instances(ServiceEnv.CONSOLE)) {
      assertThat(strings(at(services, name, "profiles")))
          .as(name + " profiles")
          .contains("console");
    }
  }

  @Test
  void kafkaRunsKraftOnTheTestedVersion() {
    Map<String, Object> kafka = map(services.get("kafka"), "kafka");
    assertThat(kafka.get("image"))
        .isEqualTo("apache/kafka:" + Repo.property("herald.kafka.version"));
    Map<String, String> env = environment("kafka");
    assertThat(env.get("KAFKA_PROCESS_ROLES")).contains("controller").contains("broker");
    assertThat(env).containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS").containsKey("CLUSTER_ID");
    assertThat(services.keySet()).noneMatch(s -> s.contains("zookeeper"));
  }

  @Test
  void postgresIs15WithLogicalReplication() {
    Map<String, Object> pg = map(services.get("postgres"), "postgres");
    assertThat((String) pg.get("image")).matches("postgres:15(\\.\\d+)?(-[a-z0-9.]+)?");
    String command = String.join(" ", strings(pg.get("command")));
    assertThat(command).contains("wal_level=logical");
  }

  @Test
  void heraldServicesRunTheImagesTheBuildProduces() {
    for (ServiceEnv svc : ServiceEnv.values()) {
      for (String name : instances(svc)) {
        assertThat(at(services, name, "image"))
            .as(name + " image")
            .isEqualTo("herald/" + svc.imageName + ":" + Repo.projectVersion());
      }
    }
  }

  @Test
  void environmentsAreOnlyWhatTheServicesReadAndTheyAcceptThem() {
    List<String> problems = new ArrayList<>();
    for (ServiceEnv svc : ServiceEnv.values()) {
      for (String name : instances(svc)) {
        Map<String, String> env = environment(name);
        problems.addAll(svc.check(file.getFileName() + " " + name, env, Set.of()));
        for (String required : svc.requiredVariables()) {
          if (!env.containsKey(required)) {
            problems.add(name + ": required " + required + " is missing");
          }
        }
        // Set explicitly, so the port mapping below can be checked against it.
        if (!env.containsKey(svc.metricsPortVariable)) {
          problems.add(name + ": " + svc.metricsPortVariable + " should be set explicitly");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void schedulersKeepTheirStateDirOnAVolumeAndRunAStandby() {
    for (String name : instances(ServiceEnv.SCHEDULER)) {
      Map<String, String> env = environment(name);
      String stateDir = env.get("HERALD_SCHEDULER_STATE_DIR");
      assertThat(stateDir).as(name + " state dir").isNotBlank();
      assertThat(strings(at(services, name, "volumes")))
          .as(name + " volumes")
          .anyMatch(v -> v.endsWith(":" + stateDir));
      assertThat(env.get("HERALD_SCHEDULER_NUM_STANDBY_REPLICAS")).isEqualTo("1");
    }
  }

  @Test
  void publishedPortsDoNotClashAndAdminPortsAreTheServicesOwn() {
    Map<String, String> hostPorts = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (String name : services.keySet()) {
      for (String mapping : strings(at(services, name, "ports"))) {
        String[] parts = mapping.split(":");
        if (parts.length < 2) {
          problems.add(name + ": publish with an explicit host port, got " + mapping);
          continue;
        }
        String host = parts.length == 3 ? parts[0] + ":" + parts[1] : parts[0];
        String hostPort = parts.length == 3 ? parts[1] : parts[0];
        String previous = hostPorts.put(hostPort, name);
        if (previous != null) {
          problems.add("host port " + hostPort + " published by both " + previous + " and " + name);
        }
        if (!host.startsWith("127.0.0.1")) {
          problems.add(name + ": publish on 127.0.0.1 only, got " + mapping);
        }
      }
    }
    for (ServiceEnv svc : ServiceEnv.values()) {
      for (String name : instances(svc)) {
        String port = environment(name).get(svc.metricsPortVariable);
        assertThat(strings(at(services, name, "ports")))
            .as(name + " publishes its admin port " + port)
            .anyMatch(m -> m.endsWith(":" + port));
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void prometheusScrapesEveryInstanceOnItsAdminPort() {
    Map<String, Object> prom = Repo.yaml(Repo.deploy("prometheus/prometheus.yml"));
    Map<String, Set<String>> targetsByJob = new HashMap<>();
    for (Object job : list(prom.get("scrape_configs"), "scrape_configs")) {
      Set<String> targets = new TreeSet<>();
      for (Object sc : list(at(job, "static_configs"), "static_configs")) {
        targets.addAll(strings(at(sc, "targets")));
      }
      targetsByJob.put((String) at(job, "job_name"), targets);
    }
    for (ServiceEnv svc : ServiceEnv.values()) {
      if (svc == ServiceEnv.CONSOLE) {
        // behind a profile: a static target for it would be down (HeraldServiceDown) while off
        continue;
      }
      Set<String> expected = new TreeSet<>();
      for (String name : instances(svc)) {
        expected.add(name + ":" + environment(name).get(svc.metricsPortVariable));
      }
      String job = svc.job();
      assertThat(targetsByJob.get(job)).as("targets of job " + job).isEqualTo(expected);
    }
  }

  @Test
  void prometheusAndGrafanaMountWhatExists() {
    Path dir = file.getParent();
    for (String name : List.of("prometheus", "grafana")) {
      for (String v : strings(at(services, name, "volumes"))) {
        String source = v.split(":")[0];
        if (source.startsWith(".")) {
          assertThat(dir.resolve(source).normalize()).as(name + " mounts " + v).exists();
        }
      }
    }
    assertThat(strings(at(services, "prometheus", "volumes")))
        .anyMatch(v -> v.startsWith("../prometheus:/etc/prometheus"));
    // The dashboards directory is mounted where the provisioning file tells Grafana to look.
    Map<String, Object> provider =
        map(
            list(
                    Repo.yaml(Repo.deploy("grafana/provisioning/dashboards/herald.yml"))
                        .get("providers"),
                    "providers")
                .get(0),
            "provider");
    String path = (String) at(provider, "options", "path");
    assertThat(strings(at(services, "grafana", "volumes")))
        .anyMatch(v -> v.startsWith("../grafana/dashboards:" + path));
    assertThat(strings(at(services, "grafana", "volumes")))
        .anyMatch(v -> v.startsWith("../grafana/provisioning:/etc/grafana/provisioning"));
  }

  private static List<String> instances(ServiceEnv svc) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Object image = at(e.getValue(), "image");
      if (image instanceof String s && s.startsWith("herald/" + svc.imageName + ":")) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** A service's environment (map or list form), ${VAR:-default} replaced by its default. */
  static Map<String, String> environment(String service) {
    Object env = at(services, service, "environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env == null) {
      return out;
    }
    if (env instanceof List<?> l) {
      for (Object o : l) {
        String[] kv = String.valueOf(o).split("=", 2);
        out.put(kv[0], kv.length > 1 ? interpolate(kv[1]) : "");
      }
    } else {
      for (Map.Entry<String, Object> e : map(env, service + ".environment").entrySet()) {
        out.put(e.getKey(), e.getValue() == null ? "" : interpolate(String.valueOf(e.getValue())));
      }
    }
    return out;
  }

  private static String interpolate(String v) {
    Matcher m = INTERPOLATION.matcher(v);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String def = m.group(2);
      m.appendReplacement(sb, Matcher.quoteReplacement(def == null ? "x" : def));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      for (Object x : l) {
        out.add(String.valueOf(x));
      }
    } else if (o != null) {
      out.add(String.valueOf(o));
    }
    return out;
  }
}
