package io.herald.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvReaderTest {

  enum Mode {
    AT_MOST_ONCE,
    AT_LEAST_ONCE
  }

  @Test
  void shouldNameEveryBadVariableWhenSeveralAreWrong() {
    EnvReader r =
        new EnvReader(
            Map.of(
                "HERALD_X_ATTEMPTS", "0",
                "HERALD_X_WAIT", "30s",
                "HERALD_X_MODE", "sometimes",
                "HERALD_X_RATE", "abc"));
    r.required("HERALD_X_BOOTSTRAP");
    r.intAtLeast("HERALD_X_ATTEMPTS", 3, 1);
    r.duration("HERALD_X_WAIT", Duration.ofSeconds(1));
    r.oneOf("HERALD_X_MODE", Mode.class, Mode.AT_MOST_ONCE);
    r.doubleBetween("HERALD_X_RATE", 0, 0, 1);

    assertThatThrownBy(r::failIfInvalid)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HERALD_X_BOOTSTRAP is required")
        .hasMessageContaining("HERALD_X_ATTEMPTS=0: must be >= 1")
        .hasMessageContaining("HERALD_X_WAIT=30s: not an ISO-8601 duration")
        .hasMessageContaining(
            "HERALD_X_MODE=sometimes: expected one of at_most_once, at_least_once")
        .hasMessageContaining("HERALD_X_RATE=abc: not a number")
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(5));
  }

  @Test
  void shouldUseDefaultsWhenVariablesAreAbsentOrBlank() {
    EnvReader r = new EnvReader(Map.of("HERALD_X_ATTEMPTS", " "));
    assertThat(r.intAtLeast("HERALD_X_ATTEMPTS", 3, 1)).isEqualTo(3);
    assertThat(r.duration("HERALD_X_WAIT", Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.oneOf("HERALD_X_MODE", Mode.class, Mode.AT_LEAST_ONCE))
        .isEqualTo(Mode.AT_LEAST_ONCE);
    assertThat(r.bool("HERALD_X_FLAG", true)).isTrue();
    r.failIfInvalid();
  }

  @Test
  void shouldAcceptDashesAndAnyCaseWhenParsingEnums() {
    EnvReader r = new EnvReader(Map.of("HERALD_X_MODE", "At-Least-Once"));
    assertThat(r.oneOf("HERALD_X_MODE", Mode.class, Mode.AT_MOST_ONCE))
        .isEqualTo(Mode.AT_LEAST_ONCE);
  }

  @Test
  void shouldMapKafkaVariablesAndRejectOwnedKeysWhenPassingThrough() {
    EnvReader r =
        new EnvReader(
            Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache...PlainLoginModule required password=\"p\";",
                "KAFKA_PROCESSING_GUARANTEE", "at_least_once"));
    Map<String, String> props = r.kafkaPassthrough(Set.of("processing.guarantee"));

    assertThat(props)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsKey("sasl.jaas.config")
        .doesNotContainKey("processing.guarantee");
    assertThat(r.problems()).singleElement().asString().contains("KAFKA_PROCESSING_GUARANTEE");
    assertThat(r.echo()).contains("KAFKA_SASL_JAAS_CONFIG=[hidden]").doesNotContain("password");
  }

  @Test
  void shouldHideSecretsWhenEchoing() {
    EnvReader r =
        new EnvReader(Map.of("HERALD_X_JDBC_PASSWORD", "s3cr3t", "HERALD_X_URL", "jdbc:x"));
    r.secret("HERALD_X_JDBC_PASSWORD", null);
    r.optional("HERALD_X_URL", null);
    assertThat(r.echo())
        .contains("HERALD_X_JDBC_PASSWORD=[hidden]")
        .contains("HERALD_X_URL=jdbc:x")
        .doesNotContain("s3cr3t");
  }
}
