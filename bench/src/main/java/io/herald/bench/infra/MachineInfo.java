package io.herald.bench.infra;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** What the results were measured on, and with which versions. */
public final class MachineInfo {

  private MachineInfo() {}

  public static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores (JVM)", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      m.put("RAM GiB", Math.round(sun.getTotalMemorySize() / (1024.0 * 1024 * 1024) * 10) / 10.0);
    }
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put(
        "jdk",
        System.getProperty("java.vm.vendor")
            + " "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"));
    m.put("max heap MiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("load average at start", Math.round(os.getSystemLoadAverage() * 100) / 100.0);
    return m;
  }

  /** Versions this jar was built with (filtered from the POM), plus the broker's own. */
  public static Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    Properties p = new Properties();
    try (InputStream in = MachineInfo.class.getResourceAsStream("/bench-versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // reported as unknown below
    }
    for (String key :
        new String[] {
          "herald", "kafka", "db-scheduler", "quartz", "jmh", "hikaricp", "postgresql-jdbc"
        }) {
      v.put(key, p.getProperty(key, "unknown"));
    }
    v.put("kafka (runtime)", org.apache.kafka.common.utils.AppInfoParser.getVersion());
    return v;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
