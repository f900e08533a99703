package io.herald.sender.ledger.jdbc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.sender.delivery.Device;
import io.herald.sender.ledger.DeviceDirectory;
import io.herald.sender.ledger.LedgerException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices read from PostgreSQL, cached per device for {@code refresh}: a status change (an operator
 * resuming a paused device) is seen within that interval. Unknown ids are cached too, so a flood of
 * commands for a missing device does not hammer the database.
 *
 * <p>A reload of one device also reloads, in the same query, every other cached device past half
 * its age: the entries fall into step and a busy sender reloads all its devices in about one query
 * per half interval instead of one query per device and interval on the lane threads. A reload
 * never replaces an entry written after it started (a pause recorded meanwhile stays).
 *
 * <p>A cached device answers at once (a completed future). Misses and pauses go to the database on
 * threads of their own ({@code herald-device-loads}, {@code herald-device-pauses}, {@link
 * GroupCommit}): the misses queued while a load runs share the next query, and no lane thread waits
 * on JDBC.
 */
public final class JdbcDeviceDirectory implements DeviceDirectory, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JdbcDeviceDirectory.class);

  /** Deepest nesting of a transport_config accepted; real configs are flat objects. */
  static final int TRANSPORT_CONFIG_MAX_DEPTH = 16;

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(TRANSPORT_CONFIG_MAX_DEPTH)
                      .maxStringLength(Limits.TRANSPORT_CONFIG_MAX_BYTES)
                      .build())
              .build());

  // an oversized config is not even fetched: only its size comes back
  private static final String SELECT =
      "SELECT id, user_id, transport,"
          + " CASE WHEN octet_length(transport_config::text) <= ? THEN transport_config::text END,"
          + " status, max_per_second, paused_reason, octet_length(transport_config::text)"
          + " FROM devices WHERE id = ANY (?::uuid[])";

  /** Most devices reloaded by one query. */
  private static final int MAX_RELOAD = 1_000;

  private static final String PAUSE =
      "UPDATE devices SET status = 'paused', paused_reason = ?, updated_at = now() WHERE id = ?";

  private record Entry(Optional<Device> device, Instant loadedAt) {}

  private record PauseRequest(String deviceId, String reason) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Duration refresh;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final GroupCommit<String, Optional<Device>> loads;
  private final GroupCommit<PauseRequest, Boolean> pauses;

  /**
   * A directory whose load and pause threads are unsupervised ({@link GroupCommit.Supervision}).
   */
  public JdbcDeviceDirectory(DataSource dataSource, Clock clock, Duration refresh) {
    this(dataSource, clock, refresh, GroupCommit.Supervision.unsupervised());
  }

  /** Starts the load and pause threads ({@code herald-device-loads}, {@code -pauses}). */
  public JdbcDeviceDirectory(
      DataSource dataSource, Clock clock, Duration refresh, GroupCommit.Supervision supervision) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.refresh = Objects.requireNonNull(refresh, "refresh");
    this.loads =
        new GroupCommit<>(
            "device-loads",
            JdbcDeliveryLedger.DEFAULT_MAX_BATCH,
            this::loadAll,
            GroupCommit.Listener.NONE,
            supervision);
    this.pauses =
        new GroupCommit<>(
            "device-pauses",
            JdbcDeliveryLedger.DEFAULT_MAX_BATCH,
            this::pauseAll,
            GroupCommit.Listener.NONE,
            supervision);
  }

  @Override
  public CompletableFuture<Optional<Device>> find(String deviceId) {
    Entry e = cache.get(deviceId);
    if (e != null && e.loadedAt().plus(refresh).isAfter(clock.instant())) {
      return CompletableFuture.completedFuture(e.device());
    }
    return loads.submit(deviceId);
  }

  /** One batch of misses in one query, with every cached device past half its age. */
  private List<Optional<Device>> loadAll(List<String> batch) {
    Instant now = clock.instant();
    Set<String> ids = new LinkedHashSet<>(batch);
    Instant halfAge = now.minus(refresh.dividedBy(2));
    for (Map.Entry<String, Entry> en : cache.entrySet()) {
      if (ids.size() >= MAX_RELOAD) {
        break;
      }
      if (en.getValue().loadedAt().isBefore(halfAge)) {
        ids.add(en.getKey());
      }
    }
    Map<String, Optional<Device>> loaded = load(ids);
    for (Map.Entry<String, Optional<Device>> en : loaded.entrySet()) {
      Entry fresh = new Entry(en.getValue(), now);
      cache.merge(en.getKey(), fresh, (old, neu) -> old.loadedAt().isAfter(now) ? old : neu);
    }
    if (cache.size() > 100_000) {
      evictOld(now);
    }
    List<Optional<Device>> out = new ArrayList<>(batch.size());
    for (String id : batch) {
      out.add(loaded.get(id));
    }
    return out;
  }

  @Override
  public CompletableFuture<Void> pause(String deviceId, String reason) {
    return pauses.submit(new PauseRequest(deviceId, reason)).thenApply(done -> null);
  }

  private List<Boolean> pauseAll(List<PauseRequest> batch) {
    List<Boolean> out = new ArrayList<>(batch.size());
    for (PauseRequest r : batch) {
      pauseOne(r.deviceId(), r.reason());
      out.add(Boolean.TRUE);
    }
    return out;
  }

  private void pauseOne(String deviceId, String reason) {
    UUID id = SqlValues.uuidOrNull(deviceId);
    if (id != null) {
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps = c.prepareStatement(PAUSE)) {
        ps.setString(1, reason);
        ps.setObject(2, id, Types.OTHER);
        ps.executeUpdate();
      } catch (SQLException ex) {
        throw new LedgerException("Cannot pause device " + deviceId, ex);
      }
    }
    Entry e = cache.get(deviceId);
    if (e != null && e.device().isPresent()) {
      Device d = e.device().get();
      Device paused =
          new Device(
              d.id(),
              d.tenantId(),
              d.transport(),
              d.transportConfig(),
              "paused",
              d.maxPerSecond(),
              reason,
              d.unusableReason());
      // fresh entry: the lane sees the pause at once, the database from the next refresh on
      cache.put(deviceId, new Entry(Optional.of(paused), clock.instant()));
    }
  }

  /** Every id of {@code deviceIds}, with its device or empty when there is none. */
  private Map<String, Optional<Device>> load(Set<String> deviceIds) {
    Map<String, Optional<Device>> out = new HashMap<>();
    // several spellings of one id (case) are cached apart, each gets the row
    Map<UUID, List<String>> byUuid = new HashMap<>();
    for (String id : deviceIds) {
      out.put(id, Optional.empty());
      UUID uuid = SqlValues.uuidOrNull(id);
      if (uuid != null) {
        byUuid.computeIfAbsent(uuid, u -> new ArrayList<>()).add(id);
      }
    }
    if (byUuid.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT)) {
      ps.setInt(1, Limits.TRANSPORT_CONFIG_MAX_BYTES);
      ps.setArray(
          2, c.createArrayOf("text", byUuid.keySet().stream().map(UUID::toString).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          BigDecimal max = rs.getBigDecimal(6);
          String id = rs.getString(1);
          long configBytes = rs.getLong(8);
          TransportConfig config =
              configBytes > Limits.TRANSPORT_CONFIG_MAX_BYTES
                  ? TransportConfig.unusable(
                      "transport_config is "
                          + configBytes
                          + " bytes, more than the "
                          + Limits.TRANSPORT_CONFIG_MAX_BYTES
                          + " allowed")
                  : parseConfig(id, rs.getString(4));
          Device d =
              new Device(
                  id,
                  rs.getString(2),
                  rs.getString(3),
                  config.values(),
                  rs.getString(5),
                  max == null ? null : max.doubleValue(),
                  rs.getString(7),
                  config.problem());
          if (!d.usable()) {
            log.warn(
                "Device cannot be used, its commands fail: device={} reason={}",
                id,
                d.unusableReason());
          }
          for (String asked : byUuid.getOrDefault(UUID.fromString(d.id()), List.of())) {
            out.put(asked, Optional.of(d));
          }
        }
      }
    } catch (SQLException ex) {
      throw new LedgerException("Cannot read devices " + byUuid.values(), ex);
    }
    return out;
  }

  /** A parsed transport_config: its values, or why the device cannot use it. */
  record TransportConfig(Map<String, String> values, String problem) {
    static TransportConfig unusable(String problem) {
      return new TransportConfig(Map.of(), ErrorTexts.reason(problem));
    }
  }

  /**
   * The values of a transport_config, or the reason it cannot be used. Never throws: one device's
   * broken config must fail that device's commands, not the lane or the reload of other devices.
   */
  static TransportConfig parseConfig(String deviceId, String json) {
    Map<String, String> out = new HashMap<>();
    if (json == null) {
      return new TransportConfig(out, null);
    }
    if (json.length() > Limits.TRANSPORT_CONFIG_MAX_BYTES
        || json.getBytes(StandardCharsets.UTF_8).length > Limits.TRANSPORT_CONFIG_MAX_BYTES) {
      return TransportConfig.unusable(
          "transport_config is larger than " + Limits.TRANSPORT_CONFIG_MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (StreamConstraintsException ex) {
      return TransportConfig.unusable(
          "transport_config is nested deeper than " + TRANSPORT_CONFIG_MAX_DEPTH + " levels");
    } catch (IOException | RuntimeException ex) {
      return TransportConfig.unusable("transport_config is not valid JSON");
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

  private void evictOld(Instant now) {
    cache.entrySet().removeIf(en -> en.getValue().loadedAt().plus(refresh).isBefore(now));
  }

  /** False once the load or the pause thread died ({@link GroupCommit#healthy()}). */
  public boolean healthy() {
    return loads.healthy() && pauses.healthy();
  }

  /** Runs the loads and pauses already queued (up to {@code timeout}); later ones fail. */
  public boolean close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean loadsDone = loads.close(timeout);
    boolean pausesDone = pauses.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    return loadsDone && pausesDone;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
