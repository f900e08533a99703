package io.herald.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.runtime.metrics.MetricsRegistries;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeMetricsAndFollowReadinessWhenStarted() throws Exception {
    PrometheusMeterRegistry registry = MetricsRegistries.create("test");
    registry.counter("herald.test.things").increment();
    AtomicBoolean ready = new AtomicBoolean(false);
    try (AdminServer server =
        new AdminServer(new InetSocketAddress("127.0.0.1", 0), registry, ready::get).start()) {
      String base = "http://127.0.0.1:" + server.port();

      HttpResponse<String> metrics = get(base + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("herald_test_things_total{service=\"test\"} 1.0")
          .contains("jvm_memory_used_bytes");

      assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
      assertThat(get(base + "/health/ready").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldListenOnEveryInterfaceWhenNoBindAddressIsSet() {
    assertThat(AdminServer.address(null, 9401).getAddress().isAnyLocalAddress()).isTrue();
    assertThat(AdminServer.address(" ", 9401).getAddress().isAnyLocalAddress()).isTrue();
  }

  @Test
  void shouldListenOnlyOnTheBindAddressWhenItIsSet() throws Exception {
    String previous = System.getProperty(AdminServer.BIND_ADDRESS_PROPERTY);
    System.setProperty(AdminServer.BIND_ADDRESS_PROPERTY, "127.0.0.1");
    try (AdminServer server =
        new AdminServer(0, MetricsRegistries.create("test"), () -> true).start()) {
      assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(get("http://127.0.0.1:" + server.port() + "/health/live").statusCode())
          .isEqualTo(200);
    } finally {
      if (previous == null) {
        System.clearProperty(AdminServer.BIND_ADDRESS_PROPERTY);
      } else {
        System.setProperty(AdminServer.BIND_ADDRESS_PROPERTY, previous);
      }
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
