package io.herald.sender.ledger.jdbc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device row's parsed {@code transport_config}: its values as strings, or why the device cannot
 * use it (too large, not JSON, nested too deeply).
 */
record TransportConfig(Map<String, String> values, String problem) {

  private static final Logger log = LoggerFactory.getLogger(TransportConfig.class);

  /** Deepest nesting of a transport_config accepted; real configs are flat objects. */
  static final int MAX_DEPTH = 16;

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(MAX_DEPTH)
                      .maxStringLength(Limits.TRANSPORT_CONFIG_MAX_BYTES)
                      .build())
              .build());

  static TransportConfig unusable(String problem) {
    return new TransportConfig(Map.of(), ErrorTexts.reason(problem));
  }

  /**
   * The values of a transport_config, or the reason it cannot be used. Never throws: one device's
   * broken config must fail that device's commands, not the lane or the reload of other devices.
   */
  static TransportConfig parse(String deviceId, String json) {
    Map<String, String> out = new HashMap<>();
    if (json == null) {
      return new TransportConfig(out, null);
    }
    if (json.length() > Limits.TRANSPORT_CONFIG_MAX_BYTES
        || json.getBytes(StandardCharsets.UTF_8).length > Limits.TRANSPORT_CONFIG_MAX_BYTES) {
      return unusable(
          "transport_config is larger than " + Limits.TRANSPORT_CONFIG_MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (StreamConstraintsException ex) {
      return unusable("transport_config is nested deeper than " + MAX_DEPTH + " levels");
    } catch (IOException | RuntimeException ex) {
      return unusable("transport_config is not valid JSON");
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return new TransportConfig(out, null);
    }
    if (!root.isObject()) {
      log.warn("Device transport_config is not a JSON object, ignoring it: device={}", deviceId);
      return new TransportConfig(out, null);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getValue() != null && !f.getValue().isNull() && f.getValue().isValueNode()) {
        out.put(f.getKey(), f.getValue().asText());
      }
    }
    return new TransportConfig(out, null);
  }
}
