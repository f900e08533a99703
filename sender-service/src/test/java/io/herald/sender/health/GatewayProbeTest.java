package io.herald.sender.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.sender.policy.DevicePolicy;
import io.herald.testsupport.FakeWhatsAppApi;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe against the fake gateway's session endpoints (loopback HTTP, no broker, no DB). */
class GatewayProbeTest {

  private FakeWhatsAppApi fake;
  private GatewayProbe probe;

  @BeforeEach
  void start() {
    fake = FakeWhatsAppApi.start();
    Map<String, String> env = Map.of("HERALD_TOKEN_GW", fake.apiKey());
    probe =
        new GatewayProbe(
            HttpClient.newHttpClient(),
            null,
            Duration.ofSeconds(5),
            env::get,
            new DevicePolicy("HERALD_TOKEN_", List.of(fake.baseUrl()), List.of()));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  private Map<String, String> config(String session, String kind) {
    return Map.of(
        "base_url",
        fake.baseUrl() + "/",
        "api_key_env",
        "HERALD_TOKEN_GW",
        "session",
        session,
        "gateway_kind",
        kind);
  }

  @Test
  void shouldReadScriptedSessionStateOfEitherKind() {
    fake.sessionState("s1", "SCAN_QR_CODE").sessionState("s2", "close");
    ProbeResult waha = probe.probe(GatewayKind.WAHA, config("s1", "waha")).join();
    assertThat(waha.health()).isEqualTo(SessionHealth.DISCONNECTED);
    assertThat(waha.state()).isEqualTo("SCAN_QR_CODE");
    ProbeResult evo = probe.probe(GatewayKind.EVOLUTION, config("s2", "evolution")).join();
    assertThat(evo.health()).isEqualTo(SessionHealth.DISCONNECTED);
    assertThat(evo.state()).isEqualTo("CLOSE");
    assertThat(probe.probe(GatewayKind.WAHA, config("s3", "waha")).join().health())
        .isEqualTo(SessionHealth.HEALTHY);
  }

  @Test
  void shouldBeUnknownWhenKeyIsWrong() {
    Map<String, String> env = Map.of("HERALD_TOKEN_GW", "wrong");
    GatewayProbe wrongKey =
        new GatewayProbe(
            HttpClient.newHttpClient(),
            null,
            Duration.ofSeconds(5),
            env::get,
            new DevicePolicy("HERALD_TOKEN_", List.of(fake.baseUrl()), List.of()));
    ProbeResult r = wrongKey.probe(GatewayKind.WAHA, config("s1", "waha")).join();
    assertThat(r.health()).isEqualTo(SessionHealth.UNKNOWN);
    assertThat(r.detail()).isEqualTo("HTTP 401").doesNotContain("wrong");
  }

  @Test
  void shouldRefuseWithoutCallingWhenRowMayNotReachIt() {
    Map<String, String> notAllowed =
        Map.of(
            "base_url",
            "http://localhost:" + fake.port(),
            "api_key_env",
            "HERALD_TOKEN_GW",
            "session",
            "r1");
    assertThat(probe.probe(GatewayKind.WAHA, notAllowed).join().health())
        .isEqualTo(SessionHealth.REFUSED);
    Map<String, String> badVariable =
        Map.of(
            "base_url",
            fake.baseUrl(),
            "api_key_env",
            "HERALD_SENDER_JDBC_PASSWORD",
            "session",
            "r1");
    assertThat(probe.probe(GatewayKind.WAHA, badVariable).join().health())
        .isEqualTo(SessionHealth.REFUSED);
    Map<String, String> noBase = Map.of("session", "r1");
    assertThat(probe.probe(GatewayKind.WAHA, noBase).join().health())
        .isEqualTo(SessionHealth.REFUSED);
    assertThat(fake.sessionProbes("r1")).isZero();
  }
}
