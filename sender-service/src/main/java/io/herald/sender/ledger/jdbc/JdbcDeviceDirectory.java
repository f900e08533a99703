package io.herald.sender.ledger.jdbc;

import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import io.herald.sender.delivery.Device;
import io.herald.sender.ledger.DeviceDirectory;
import io.herald.sender.ledger.DeviceVetting;
import io.herald.sender.ledger.LedgerException;
import java.math.BigDecimal;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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

  // an oversized config is not even fetched: only its size comes back
  private static final String SELECT =
      "SELECT id, user_id, transport,"
          + " CASE WHEN octet_length(transport_config::text) <= ? THEN transport_config::text END,"
          + " status, max_per_second, paused_reason, octet_length(transport_config::text),"
          + " last_error"
          + " FROM devices WHERE id = ANY (?::uuid[])";

  /** Most devices reloaded by one query. */
  private static final int MAX_RELOAD = 1_000;

  private static final String PAUSE =
      "UPDATE devices SET status = 'paused', paused_reason = ?, updated_at = now() WHERE id = ?";

  // guarded: a mark already there is not written again (no update, no change event)
  private static final String MARK_INVALID =
      "UPDATE devices SET status = 'invalid', last_error = ?, updated_at = now()"
          + " WHERE id = ? AND (status IS DISTINCT FROM 'invalid' OR last_error IS DISTINCT FROM ?)";

  // only Herald's own mark is lifted: an 'invalid' the row carries with a last_error
  private static final String LIFT_INVALID =
      "UPDATE devices SET status = 'active', last_error = NULL, updated_at = now()"
          + " WHERE id = ? AND status = 'invalid' AND last_error IS NOT NULL";

  private record Entry(Optional<Device> device, Instant loadedAt) {}

  private enum Write {
    PAUSE,
    MARK_INVALID,
    LIFT_INVALID
  }

  /** A write to one device row: a pause, or the vetting's mark set or lifted. */
  private record StatusWrite(String deviceId, Write kind, String reason) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Duration refresh;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final GroupCommit<String, Optional<Device>> loads;
  private final GroupCommit<StatusWrite, Boolean> pauses;
  private final DeviceVetting vetting;
  private final Set<String> activeStatuses;

  /**
   * A directory whose load and pause threads are unsupervised ({@link GroupCommit.Supervision}).
   */
  public JdbcDeviceDirectory(
      DataSource dataSource, Clock clock, Duration refresh, DeviceVetting vetting) {
    this(
        dataSource,
        clock,
        refresh,
        vetting,
        Set.of("active"),
        GroupCommit.Supervision.unsupervised());
  }

  /**
   * Starts the load and pause threads ({@code herald-device-loads}, {@code -pauses}).
   *
   * @param vetting asked on every load; a row it refuses is marked {@code invalid} with the reason
   * @param activeStatuses status words (lower case) that mean the device sends: the lanes see them
   *     as {@code active}, the row keeps its word
   */
  public JdbcDeviceDirectory(
      DataSource dataSource,
      Clock clock,
      Duration refresh,
      DeviceVetting vetting,
      Set<String> activeStatuses,
      GroupCommit.Supervision supervision) {
    this.activeStatuses = Set.copyOf(activeStatuses);
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.vetting = Objects.requireNonNull(vetting, "vetting");
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
            this::writeAll,
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
    return pauses.submit(new StatusWrite(deviceId, Write.PAUSE, reason)).thenApply(done -> null);
  }

  private List<Boolean> writeAll(List<StatusWrite> batch) {
    List<Boolean> out = new ArrayList<>(batch.size());
    for (StatusWrite w : batch) {
      if (w.kind() == Write.PAUSE) {
        pauseOne(w.deviceId(), w.reason());
      } else {
        mark(w);
      }
      out.add(Boolean.TRUE);
    }
    return out;
  }

  /**
   * Sets or lifts the vetting's mark on the row. The cache already holds the device as vetted (the
   * load that asked for this write put it there), so only the row changes here.
   */
  private void mark(StatusWrite w) {
    UUID id = SqlValues.uuidOrNull(w.deviceId());
    if (id == null) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(w.kind() == Write.MARK_INVALID ? MARK_INVALID : LIFT_INVALID)) {
      if (w.kind() == Write.MARK_INVALID) {
        ps.setString(1, w.reason());
        ps.setObject(2, id, Types.OTHER);
        ps.setString(3, w.reason());
      } else {
        ps.setObject(1, id, Types.OTHER);
      }
      if (ps.executeUpdate() > 0) {
        log.info(
            w.kind() == Write.MARK_INVALID
                ? "Device marked invalid, its commands fail until the row is fixed: device={}"
                    + " reason={}"
                : "Device row fixed, invalid mark lifted: device={}{}",
            w.deviceId(),
            w.kind() == Write.MARK_INVALID ? w.reason() : "");
      }
    } catch (SQLException ex) {
      throw new LedgerException("Cannot mark device " + w.deviceId(), ex);
    }
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
                  : TransportConfig.parse(id, rs.getString(4));
          Device d =
              vetted(
                  new Device(
                      id,
                      rs.getString(2),
                      rs.getString(3),
                      config.values(),
                      rs.getString(5),
                      max == null ? null : max.doubleValue(),
                      rs.getString(7),
                      config.problem()),
                  rs.getString(9));
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

  /**
   * The device as the lanes see it after {@link #vetting}: a row that cannot send is {@code
   * invalid} with its reason (its commands fail without a call) and the row is marked so, once; a
   * row Herald marked and the tenant fixed is {@code active} again and its mark lifted. Both writes
   * go through the pause thread, never this load.
   */
  private Device vetted(Device loaded, String lastError) {
    String problem = loaded.usable() ? vettingProblem(loaded) : loaded.unusableReason();
    if (problem != null) {
      String reason = ErrorTexts.reason(problem);
      if (!loaded.markedInvalid() || !reason.equals(lastError)) {
        log.warn(
            "Device cannot be used, its commands fail: device={} reason={}", loaded.id(), reason);
        submitMark(new StatusWrite(loaded.id(), Write.MARK_INVALID, reason));
      }
      return loaded.invalid(reason);
    }
    if (loaded.markedInvalid() && lastError != null) {
      submitMark(new StatusWrite(loaded.id(), Write.LIFT_INVALID, null));
      return loaded.withStatus("active");
    }
    String status =
        loaded.status() == null ? null : loaded.status().trim().toLowerCase(Locale.ROOT);
    if (status != null && !status.equals("active") && activeStatuses.contains(status)) {
      return loaded.withStatus("active"); // the seed's word for a device that can send
    }
    return loaded;
  }

  /** Never throws: one row the vetting chokes on must not fail the load of the others. */
  private String vettingProblem(Device d) {
    try {
      return vetting.problem(d).orElse(null);
    } catch (RuntimeException e) {
      log.warn("Device could not be vetted: device={} error={}", d.id(), e.getClass().getName());
      return "transport_config could not be checked";
    }
  }

  private void submitMark(StatusWrite w) {
    // a failed mark is tried again by the next load, which still sees the row unmarked
    pauses
        .submit(w)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                log.warn("Cannot mark device: device={} error={}", w.deviceId(), err.toString());
              }
            });
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
