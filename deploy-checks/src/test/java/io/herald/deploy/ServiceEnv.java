package io.herald.deploy;

import io.herald.console.app.ConsoleConfig;
import io.herald.runtime.config.ConfigException;
import io.herald.runtime.config.EnvReader;
import io.herald.scheduler.cdc.CdcConfig;
import io.herald.scheduler.config.SchedulerConfig;
import io.herald.scheduler.projector.ProjectorConfig;
import io.herald.sender.config.SenderConfig;
import io.herald.webhook.config.WebhookConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each service reads from its environment, taken from the config classes themselves rather
 * than from a copied list: {@link EnvReader} records every variable it was asked for (its startup
 * echo), so reading a complete environment yields the exact set, and reading an empty one yields
 * the required variables as problems.
 */
enum ServiceEnv {
  SCHEDULER("HERALD_SCHEDULER_", "scheduler-service", "HERALD_SCHEDULER_METRICS_PORT", 9401) {
    @Override
    List<String> problems(Map<String, String> env) {
      List<String> problems = new ArrayList<>();
      try {
        SchedulerConfig.read(new EnvReader(env));
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
      // CDC engine and state projector read the same environment (SchedulerApp wires them).
      EnvReader cdc = new EnvReader(env);
      CdcConfig.fromEnv(cdc);
      ProjectorConfig.fromEnv(cdc);
      for (String p : cdc.problems()) {
        if (!problems.contains(p)) {
          problems.add(p);
        }
      }
      return problems;
    }

    @Override
    String echo(Map<String, String> env) {
      EnvReader r = new EnvReader(env);
      SchedulerConfig.read(r);
      CdcConfig.fromEnv(r);
      ProjectorConfig.fromEnv(r);
      r.failIfInvalid();
      return r.echo();
    }

    @Override
    Map<String, String> minimalEnv() {
      return Map.of(
          "HERALD_SCHEDULER_BOOTSTRAP_SERVERS", "localhost:9092",
          "HERALD_SCHEDULER_JDBC_URL", "jdbc:postgresql://localhost:5432/herald",
          "HERALD_SCHEDULER_JDBC_USER", "herald");
    }
  },

  SENDER("HERALD_SENDER_", "sender-service", "HERALD_SENDER_METRICS_PORT", 9402) {
    @Override
    List<String> problems(Map<String, String> env) {
      try {
        SenderConfig.fromEnv(env);
        return List.of();
      } catch (ConfigException e) {
        return e.problems();
      }
    }

    @Override
    String echo(Map<String, String> env) {
      return SenderConfig.fromEnv(env).echo();
    }

    @Override
    Map<String, String> minimalEnv() {
      return Map.of(
          "HERALD_SENDER_BOOTSTRAP_SERVERS", "localhost:9092",
          "HERALD_SENDER_JDBC_URL", "jdbc:postgresql://localhost:5432/herald");
    }
  },

  WEBHOOK("HERALD_WEBHOOK_", "webhook-service", "HERALD_WEBHOOK_METRICS_PORT", 9403) {
    @Override
    List<String> problems(Map<String, String> env) {
      try {
        WebhookConfig.fromEnv(withSecrets(env));
        return List.of();
      } catch (ConfigException e) {
        return e.problems();
      }
    }

    @Override
    String echo(Map<String, String> env) {
      return WebhookConfig.fromEnv(withSecrets(env)).echo();
    }

    @Override
    Map<String, String> minimalEnv() {
      return Map.of("HERALD_WEBHOOK_BOOTSTRAP_SERVERS", "localhost:9092");
    }

    /**
     * The two secrets come from a file or Secret the deployment files do not show (compose's
     * secrets.env): a stand-in for each one the environment lacks, under the name it is read from.
     */
    private Map<String, String> withSecrets(Map<String, String> env) {
      Map<String, String> out = new LinkedHashMap<>(env);
      out.putIfAbsent(
          env.getOrDefault("HERALD_WEBHOOK_APP_SECRET_ENV", WebhookConfig.DEFAULT_APP_SECRET_ENV),
          "secret");
      out.putIfAbsent(
          env.getOrDefault(
              "HERALD_WEBHOOK_VERIFY_TOKEN_ENV", WebhookConfig.DEFAULT_VERIFY_TOKEN_ENV),
          "secret");
      return out;
    }
  },

  /** The operator console (ADR 0023): off unless a deployment turns it on. */
  CONSOLE("HERALD_CONSOLE_", "console-service", "HERALD_CONSOLE_METRICS_PORT", 9414) {
    @Override
    List<String> problems(Map<String, String> env) {
      try {
        ConsoleConfig.fromEnv(env);
        return List.of();
      } catch (ConfigException e) {
        return e.problems();
      }
    }

    @Override
    String echo(Map<String, String> env) {
      return ConsoleConfig.fromEnv(env).echo();
    }

    @Override
    Map<String, String> minimalEnv() {
      return Map.of();
    }
  };

  /** Variables a deployment may set besides the service's own: read by the JVM itself. */
  static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "TZ");

  private static final Pattern REQUIRED = Pattern.compile("^([A-Z0-9_]+) is required but not set$");
  private static final Pattern ECHO_KEY = Pattern.compile("(?:^| )([A-Z][A-Z0-9_]*)=");

  final String prefix;
  final String imageName;
  final String metricsPortVariable;
  final int defaultMetricsPort;

  ServiceEnv(String prefix, String imageName, String metricsPortVariable, int defaultMetricsPort) {
    this.prefix = prefix;
    this.imageName = imageName;
    this.metricsPortVariable = metricsPortVariable;
    this.defaultMetricsPort = defaultMetricsPort;
  }

  /** The Prometheus job scraping its instances (the alerts match {@code herald-.*}). */
  String job() {
    return "herald-" + imageName.replace("-service", "");
  }

  /** Every problem the service would report for this environment at start (none = it starts). */
  abstract List<String> problems(Map<String, String> env);

  abstract String echo(Map<String, String> env);

  /** The smallest environment the service accepts. */
  abstract Map<String, String> minimalEnv();

  /** Every HERALD_* variable the service reads. */
  Set<String> knownVariables() {
    Set<String> names = new TreeSet<>();
    Matcher m = ECHO_KEY.matcher(echo(minimalEnv()));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The variables the service refuses to start without. */
  Set<String> requiredVariables() {
    Set<String> names = new TreeSet<>();
    for (String p : problems(Map.of())) {
      Matcher m = REQUIRED.matcher(p);
      if (m.matches()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The effective value of each variable the service reads, defaults included, for this env. */
  Map<String, String> effective(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?:^| )([A-Z][A-Z0-9_]*)=(\\S*)").matcher(echo(env));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /**
   * Problems with a deployment's environment for this service: unknown HERALD_* names (the services
   * ignore unknown variables, so a typo would silently fall back to a default), variables that are
   * neither the service's, Kafka passthrough nor the JVM's, and whatever the service itself would
   * reject at start.
   *
   * @param extraAllowed names also allowed (e.g. secrets the device rows name)
   */
  List<String> check(String where, Map<String, String> env, Set<String> extraAllowed) {
    List<String> out = new ArrayList<>();
    Set<String> known = knownVariables();
    for (String name : env.keySet()) {
      if (name.startsWith("HERALD_")) {
        if (!known.contains(name)) {
          out.add(
              where + ": " + name + " is not read by the " + imageName + " (known: " + known + ")");
        }
      } else if (!name.startsWith("KAFKA_")
          && !JVM_VARIABLES.contains(name)
          && !extraAllowed.contains(name)) {
        out.add(where + ": " + name + " is neither a " + prefix + "* nor a KAFKA_* variable");
      }
    }
    for (String p : problems(env)) {
      out.add(where + ": the " + imageName + " would refuse to start: " + p);
    }
    return out;
  }
}
