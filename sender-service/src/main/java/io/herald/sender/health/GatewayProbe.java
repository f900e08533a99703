package io.herald.sender.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.serde.Json;
import io.herald.sender.policy.DevicePolicy;
import io.herald.sender.transport.BoundedBody;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Asks a device's gateway for its session state. The device row reaches exactly what it reaches
 * when it sends (ADR 0014): its {@code base_url} (else the sender's default gateway URL) must be
 * covered by the allowlist, {@code api_key_env} must name a variable of the token namespace, and
 * the key header must be a plain name; a refusal is {@link SessionHealth#REFUSED} and no request
 * leaves. Answers are read up to {@link Limits#TRANSPORT_RESPONSE_MAX_BYTES}, within the
 * transport's timeout. Never completes exceptionally; details never hold the key or the URL.
 */
public final class GatewayProbe {

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final Set<String> RESERVED_HEADERS =
      Set.of("host", "content-length", "content-type", "connection", "expect", "upgrade");

  private final HttpClient client;
  private final String defaultBaseUrl;
  private final Duration timeout;
  private final Function<String, String> env;
  private final DevicePolicy policy;
  private final ObjectMapper json = Json.mapper();

  /**
   * @param defaultBaseUrl {@code HERALD_SENDER_GATEWAY_BASE_URL}, or null
   * @param timeout per probe ({@code HERALD_SENDER_HTTP_TIMEOUT})
   * @param env looks up the variable {@code api_key_env} names
   */
  public GatewayProbe(
      HttpClient client,
      String defaultBaseUrl,
      Duration timeout,
      Function<String, String> env,
      DevicePolicy policy) {
    this.client = Objects.requireNonNull(client, "client");
    this.defaultBaseUrl = defaultBaseUrl;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.env = Objects.requireNonNull(env, "env");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** Probes the device of {@code config} as {@code kind}. */
  public CompletableFuture<ProbeResult> probe(GatewayKind kind, Map<String, String> config) {
    String base = config.getOrDefault("base_url", defaultBaseUrl);
    if (base == null || base.isBlank()) {
      return done(ProbeResult.refused("base_url missing"));
    }
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    Optional<String> badBase = policy.refuseEndpoint("base_url", base);
    if (badBase.isPresent()) {
      return done(ProbeResult.refused(badBase.get()));
    }
    Optional<String> path = kind.pathFor(config);
    if (path.isEmpty()) {
      return done(ProbeResult.refused("session name must be 1 to 64 of A-Z a-z 0-9 _ . -"));
    }
    String header = kind.keyHeader(config);
    if (!HEADER_NAME.matcher(header).matches()
        || RESERVED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
      return done(ProbeResult.refused("api_key_header must be a plain header name"));
    }
    String key = null;
    String keyEnv = config.get("api_key_env");
    if (keyEnv != null) {
      Optional<String> badVar = policy.refuseVariable("api_key_env", keyEnv);
      if (badVar.isPresent()) {
        return done(ProbeResult.refused(badVar.get()));
      }
      key = env.apply(keyEnv);
      if (key == null || key.isBlank()) {
        return done(ProbeResult.refused("the variable api_key_env names is empty or not set"));
      }
    }
    HttpRequest request;
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path.get()))
              .timeout(timeout)
              .header("Accept", "application/json")
              .GET();
      if (key != null) {
        b.header(header, key);
      }
      request = b.build();
    } catch (IllegalArgumentException e) {
      return done(ProbeResult.refused("bad base_url or api_key_header"));
    }
    try {
      return client
          .sendAsync(request, BoundedBody.handler(Limits.TRANSPORT_RESPONSE_MAX_BYTES))
          .handle((resp, err) -> err != null ? failed(err) : read(kind, resp));
    } catch (RuntimeException e) {
      return done(ProbeResult.unknown("not sent: " + e.getClass().getSimpleName()));
    }
  }

  private ProbeResult read(GatewayKind kind, HttpResponse<byte[]> resp) {
    int status = resp.statusCode();
    if (status < 200 || status >= 300) {
      // 404 (no such session) included: the row or the gateway needs a human, not a hold
      return ProbeResult.unknown("HTTP " + status);
    }
    JsonNode root;
    try {
      byte[] bytes = resp.body();
      root =
          bytes == null || bytes.length == 0
              ? null
              : json.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      root = null;
    }
    return kind.read(root);
  }

  private static ProbeResult failed(Throwable err) {
    Throwable c =
        err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    return ProbeResult.unknown(
        c instanceof HttpTimeoutException ? "no answer in time" : c.getClass().getSimpleName());
  }

  private static CompletableFuture<ProbeResult> done(ProbeResult r) {
    return CompletableFuture.completedFuture(r);
  }
}
