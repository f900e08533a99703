package io.herald.testsupport;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** Reads the switch between in-JVM infrastructure and Testcontainers. */
final class TestInfra {

  static final String INFRA_PROPERTY = "herald.test.infra";
  static final String INFRA_ENV = "HERALD_TEST_INFRA";

  private TestInfra() {}

  /** True when the system property or the environment asks for Docker (Testcontainers). */
  static boolean dockerRequested() {
    return dockerRequested(System.getenv(), System.getProperties());
  }

  static boolean dockerRequested(Map<String, String> env, Properties systemProperties) {
    return "docker".equals(normalized(systemProperties.getProperty(INFRA_PROPERTY)))
        || "docker".equals(normalized(env.get(INFRA_ENV)));
  }

  private static String normalized(String value) {
    // Failsafe passes an unset Maven property through as the literal "${...}".
    if (value == null || value.isBlank() || value.startsWith("${")) {
      return "";
    }
    return value.trim().toLowerCase(Locale.ROOT);
  }
}
