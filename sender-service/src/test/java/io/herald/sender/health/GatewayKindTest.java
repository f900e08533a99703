package io.herald.sender.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.contracts.serde.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayKindTest {

  private static JsonNode json(String s) throws Exception {
    return Json.mapper().readTree(s);
  }

  @ParameterizedTest
  @CsvSource({
    "WORKING, HEALTHY",
    "STARTING, DISCONNECTED",
    "SCAN_QR_CODE, DISCONNECTED",
    "STOPPED, DISCONNECTED",
    "FAILED, BANNED",
    "working, HEALTHY",
    "SOMETHING_NEW, UNKNOWN"
  })
  void shouldMapWahaStatusWhenAnswered(String word, SessionHealth expected) throws Exception {
    ProbeResult r =
        GatewayKind.WAHA.read(json("{\"name\":\"default\",\"status\":\"" + word + "\"}"));
    assertThat(r.health()).isEqualTo(expected);
    assertThat(r.state()).isEqualTo(word.toUpperCase(java.util.Locale.ROOT));
  }

  @ParameterizedTest
  @CsvSource({"open, HEALTHY", "close, DISCONNECTED", "connecting, DISCONNECTED", "odd, UNKNOWN"})
  void shouldMapEvolutionStateWhenAnswered(String word, SessionHealth expected) throws Exception {
    ProbeResult r =
        GatewayKind.EVOLUTION.read(
            json("{\"instance\":{\"instanceName\":\"x\",\"state\":\"" + word + "\"}}"));
    assertThat(r.health()).isEqualTo(expected);
  }

  @Test
  void shouldBeUnknownWhenAnswerHasNoUsableWord() throws Exception {
    assertThat(GatewayKind.WAHA.read(null).health()).isEqualTo(SessionHealth.UNKNOWN);
    assertThat(GatewayKind.WAHA.read(json("{\"status\":42}")).health())
        .isEqualTo(SessionHealth.UNKNOWN);
    assertThat(GatewayKind.WAHA.read(json("{\"status\":\"WORKING; DROP\"}")).health())
        .as("a word that is not a plain word never reaches paused_reason")
        .isEqualTo(SessionHealth.UNKNOWN);
    assertThat(GatewayKind.EVOLUTION.read(json("{\"state\":\"open\"}")).health())
        .isEqualTo(SessionHealth.UNKNOWN);
  }

  @Test
  void shouldChooseKindAndPathFromTransportConfig() {
    assertThat(GatewayKind.of(Map.of())).contains(GatewayKind.WAHA);
    assertThat(GatewayKind.of(Map.of("gateway_kind", " Evolution ")))
        .contains(GatewayKind.EVOLUTION);
    assertThat(GatewayKind.of(Map.of("gateway_kind", "baileys"))).isEmpty();
    assertThat(GatewayKind.WAHA.pathFor(Map.of())).contains("/api/sessions/default");
    assertThat(GatewayKind.WAHA.pathFor(Map.of("session", "s-1"))).contains("/api/sessions/s-1");
    assertThat(GatewayKind.EVOLUTION.pathFor(Map.of("instance", "shop")))
        .contains("/instance/connectionState/shop");
    assertThat(GatewayKind.EVOLUTION.pathFor(Map.of("session", "shop")))
        .contains("/instance/connectionState/shop");
    assertThat(GatewayKind.WAHA.pathFor(Map.of("session", "../admin"))).isEmpty();
    assertThat(GatewayKind.WAHA.keyHeader(Map.of())).isEqualTo("X-Api-Key");
    assertThat(GatewayKind.EVOLUTION.keyHeader(Map.of())).isEqualTo("apikey");
  }
}
