package io.herald.deploy;

import static io.herald.deploy.ComposeFileTest.strings;
import static io.herald.deploy.Repo.at;
import static io.herald.deploy.Repo.list;
import static io.herald.deploy.Repo.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.webhook.config.WebhookConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s: every manifest parses; the scheduler is a StatefulSet with its state dir on a
 * persistent volume and one standby replica, the sender and the webhook receiver Deployments;
 * probes hit /health/live and /health/ready on the admin port; every container has requests and
 * limits; every variable a container gets (env and envFrom ConfigMaps) is one its service reads,
 * and the service accepts the result; secrets come from Secrets only; PDBs, Services and the
 * ServiceMonitor select the pods.
 */
class KubernetesManifestsTest {

  // a *_FILE variable names a file (a mounted Secret), not a secret
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?!.*_FILE$).*(PASSWORD|TOKEN|SECRET|API_KEY).*");

  private static final List<Map<String, Object>> objects = new ArrayList<>();
  private static Path dir;

  @BeforeAll
  static void load() throws IOException {
    dir = Repo.deploy("k8s");
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : Repo.yamlAll(f)) {
          Map<String, Object> o = map(doc, f.toString());
          assertThat(o).as(f + " document").containsKey("kind");
          if (!"Kustomization".equals(o.get("kind"))) {
            assertThat(o).as(f + " " + o.get("kind")).containsKeys("apiVersion", "metadata");
          }
          objects.add(o);
        }
      }
    }
  }

  @Test
  void kustomizationListsExistingFiles() {
    Map<String, Object> k = one("Kustomization", null);
    for (String r : strings(k.get("resources"))) {
      assertThat(dir.resolve(r)).as("kustomization resource").exists();
    }
  }

  @Test
  void noSecretValuesInTheManifests() {
    assertThat(objects).noneMatch(o -> "Secret".equals(o.get("kind")));
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> cm : all("ConfigMap")) {
      for (String key : map(cm.get("data"), "data").keySet()) {
        if (SECRET_NAME.matcher(key).matches()) {
          problems.add("ConfigMap " + name(cm) + " holds " + key + ": use a Secret");
        }
      }
    }
    for (Map<String, Object> w : workloads()) {
      for (Object c : containers(w)) {
        for (Object e : listOrEmpty(at(c, "env"))) {
          String n = (String) at(e, "name");
          if (SECRET_NAME.matcher(n).matches() && at(e, "valueFrom", "secretKeyRef") == null) {
            problems.add(name(w) + ": " + n + " must come from a secretKeyRef");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void schedulerIsAStatefulSetWithPersistentStateAndAStandby() {
    Map<String, Object> sts = one("StatefulSet", "herald-scheduler");
    Object container = containers(sts).get(0);
    Map<String, String> env = literalEnv(container);
    String stateDir = env.get("HERALD_SCHEDULER_STATE_DIR");
    assertThat(stateDir).isNotBlank();
    assertThat(env.get("HERALD_SCHEDULER_NUM_STANDBY_REPLICAS")).isEqualTo("1");
    List<Object> claims = list(at(sts, "spec", "volumeClaimTemplates"), "volumeClaimTemplates");
    String claim = (String) at(claims.get(0), "metadata", "name");
    assertThat(listOrEmpty(at(container, "volumeMounts")))
        .anyMatch(m -> claim.equals(at(m, "name")) && stateDir.equals(at(m, "mountPath")));
    assertThat((Integer) at(sts, "spec", "replicas")).isGreaterThanOrEqualTo(2);
    assertThat(at(sts, "spec", "serviceName")).isNotNull();
  }

  @Test
  void senderIsADeployment() {
    Map<String, Object> d = one("Deployment", "herald-sender");
    assertThat((Integer) at(d, "spec", "replicas")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void webhookReceiverIsADeploymentWithItsSecretsFromASecret() {
    Map<String, Object> d = one("Deployment", "herald-webhook");
    // Meta must always find one answering: a rollout or a drain never takes the last one
    assertThat((Integer) at(d, "spec", "replicas")).isGreaterThanOrEqualTo(2);
    Object c = containers(d).get(0);
    for (String secret :
        List.of(WebhookConfig.DEFAULT_APP_SECRET_ENV, WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV)) {
      assertThat(listOrEmpty(at(c, "env")))
          .as(secret + " from a Secret")
          .anyMatch(
              e -> secret.equals(at(e, "name")) && at(e, "valueFrom", "secretKeyRef") != null);
    }
  }

  @Test
  void probesHitTheHealthEndpointsOnTheAdminPort() {
    for (Map<String, Object> w : workloads()) {
      ServiceEnv svc = service(w);
      for (Object c : containers(w)) {
        int adminPort = adminPort(c, svc);
        assertProbe(w, c, "livenessProbe", "/health/live", adminPort);
        assertProbe(w, c, "readinessProbe", "/health/ready", adminPort);
        if (at(c, "startupProbe") != null) {
          assertProbe(w, c, "startupProbe", "/health/live", adminPort);
        }
        assertThat(at(w, "spec", "template", "metadata", "annotations", "prometheus.io/port"))
            .as(name(w) + " scrape annotation")
            .isEqualTo(String.valueOf(adminPort));
      }
    }
  }

  @Test
  void everyContainerHasRequestsAndLimits() {
    for (Map<String, Object> w : workloads()) {
      for (Object c : containers(w)) {
        for (String kind : List.of("requests", "limits")) {
          assertThat(map(at(c, "resources", kind), name(w) + " resources." + kind))
              .as(name(w) + " resources." + kind)
              .containsKeys("cpu", "memory");
        }
      }
    }
  }

  @Test
  void everyVariableIsKnownToTheServiceAndAccepted() {
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> w : workloads()) {
      ServiceEnv svc = service(w);
      for (Object c : containers(w)) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : listOrEmpty(at(c, "envFrom"))) {
          Object cmRef = at(from, "configMapRef", "name");
          if (cmRef != null) {
            Map<String, Object> cm = one("ConfigMap", (String) cmRef);
            map(cm.get("data"), "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
          } else {
            assertThat(at(from, "secretRef", "name")).as(name(w) + " envFrom").isNotNull();
          }
        }
        for (Object e : listOrEmpty(at(c, "env"))) {
          Object value = at(e, "value");
          // A Secret's value is not here: any valid-looking value stands in for it.
          env.put((String) at(e, "name"), value == null ? "secret" : String.valueOf(value));
        }
        problems.addAll(svc.check("k8s " + name(w), env, Set.of()));
        for (String required : svc.requiredVariables()) {
          if (!env.containsKey(required)) {
            problems.add(name(w) + ": required " + required + " is missing");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void imagesAreTheOnesTheBuildProduces() {
    for (Map<String, Object> w : workloads()) {
      for (Object c : containers(w)) {
        assertThat(at(c, "image"))
            .isEqualTo("herald/" + service(w).imageName + ":" + Repo.projectVersion());
      }
    }
  }

  @Test
  void servicesPdbsAndServiceMonitorSelectThePods() {
    List<String> problems = new ArrayList<>();
    for (String kind : List.of("Service", "PodDisruptionBudget")) {
      for (Map<String, Object> o : all(kind)) {
        Map<String, Object> selector =
            kind.equals("Service")
                ? map(at(o, "spec", "selector"), "selector")
                : map(at(o, "spec", "selector", "matchLabels"), "matchLabels");
        if (workloads().stream()
            .noneMatch(w -> labels(w).entrySet().containsAll(selector.entrySet()))) {
          problems.add(kind + " " + name(o) + " selects no pod: " + selector);
        }
      }
    }
    for (Map<String, Object> w : workloads()) {
      if (all("PodDisruptionBudget").stream()
          .noneMatch(
              p ->
                  labels(w)
                      .entrySet()
                      .containsAll(
                          map(at(p, "spec", "selector", "matchLabels"), "m").entrySet()))) {
        problems.add(name(w) + " has no PodDisruptionBudget");
      }
    }
    Map<String, Object> sm = one("ServiceMonitor", "herald");
    String port = (String) at(list(at(sm, "spec", "endpoints"), "endpoints").get(0), "port");
    for (Map<String, Object> s : all("Service")) {
      assertThat(listOrEmpty(at(s, "spec", "ports")))
          .as("Service " + name(s) + " has the ServiceMonitor's port " + port)
          .anyMatch(p -> port.equals(at(p, "name")));
    }
    assertThat(problems).isEmpty();
  }

  private static void assertProbe(
      Map<String, Object> w, Object c, String probe, String path, int port) {
    Object get = at(c, probe, "httpGet");
    assertThat(get).as(name(w) + " " + probe).isNotNull();
    assertThat(at(get, "path")).as(name(w) + " " + probe + " path").isEqualTo(path);
    Object p = at(get, "port");
    int resolved = p instanceof Integer i ? i : namedPort(c, (String) p);
    assertThat(resolved).as(name(w) + " " + probe + " port").isEqualTo(port);
  }

  /** The admin port the service will listen on, from its env (or its default). */
  private static int adminPort(Object c, ServiceEnv svc) {
    String v = literalEnv(c).get(svc.metricsPortVariable);
    return v == null ? svc.defaultMetricsPort : Integer.parseInt(v);
  }

  private static int namedPort(Object c, String name) {
    for (Object p : listOrEmpty(at(c, "ports"))) {
      if (name.equals(at(p, "name"))) {
        return (Integer) at(p, "containerPort");
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  private static Map<String, String> literalEnv(Object c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object e : listOrEmpty(at(c, "env"))) {
      if (at(e, "value") != null) {
        env.put((String) at(e, "name"), String.valueOf(at(e, "value")));
      }
    }
    return env;
  }

  private static ServiceEnv service(Map<String, Object> w) {
    String image = (String) at(containers(w).get(0), "image");
    for (ServiceEnv s : ServiceEnv.values()) {
      if (image.startsWith("herald/" + s.imageName + ":")) {
        return s;
      }
    }
    throw new AssertionError(name(w) + " runs an unknown image " + image);
  }

  private static List<Map<String, Object>> workloads() {
    List<Map<String, Object>> out = new ArrayList<>(all("StatefulSet"));
    out.addAll(all("Deployment"));
    assertThat(out).hasSize(ServiceEnv.values().length);
    return out;
  }

  private static List<Object> containers(Map<String, Object> w) {
    return list(at(w, "spec", "template", "spec", "containers"), name(w) + " containers");
  }

  private static Map<String, Object> labels(Map<String, Object> w) {
    return map(at(w, "spec", "template", "metadata", "labels"), "labels");
  }

  private static List<Object> listOrEmpty(Object o) {
    return o == null ? List.of() : list(o, "list");
  }

  private static List<Map<String, Object>> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  private static Map<String, Object> one(String kind, String name) {
    List<Map<String, Object>> found =
        all(kind).stream().filter(o -> name == null || name.equals(name(o))).toList();
    assertThat(found).as(kind + " " + name).hasSize(1);
    return found.get(0);
  }

  private static String name(Map<String, Object> o) {
    return (String) at(o, "metadata", "name");
  }
}
