package io.herald.sender.health;

import io.herald.runtime.loop.ServiceLoop;
import io.herald.runtime.loop.ServiceLoop.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code herald-device-probe} loop: every interval, each gateway device Herald considers live
 * or holds by its own mark is probed (a page of {@link #PAGE_SIZE} at a time, the page's probes in
 * parallel) and {@link HealthDecision} applied with a compare-and-set. Every sender instance probes
 * every gateway device: the writes are idempotent and conditional, so concurrent instances only
 * repeat a GET. A failed pass (database down) is logged, counted by the loop and tried again an
 * interval later; a failed probe changes nothing.
 *
 * <p>Metrics: {@code herald.sender.device.probes{kind,result}} and the gauge {@code
 * herald.sender.devices.session.lost} (devices held by Herald's session mark after the last pass).
 * Logs name the device id, the gateway kind and the state word, never a URL, key or number.
 */
public final class DeviceProber implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeviceProber.class);

  /** Devices read and probed at once. */
  static final int PAGE_SIZE = 100;

  private final JdbcDeviceHealth rows;
  private final GatewayProbe probe;
  private final HealthDecision decision;
  private final Duration interval;
  private final ServiceLoop loop;
  private final Map<GatewayKind, Map<SessionHealth, Counter>> probes =
      new EnumMap<>(GatewayKind.class);
  private final Counter unknownKind;
  private final AtomicLong lost = new AtomicLong();
  private final Set<String> refusedLogged = ConcurrentHashMap.newKeySet();

  public DeviceProber(
      JdbcDeviceHealth rows,
      GatewayProbe probe,
      HealthDecision decision,
      Duration interval,
      MeterRegistry registry,
      Consumer<Throwable> onFatal) {
    this.rows = Objects.requireNonNull(rows, "rows");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.decision = Objects.requireNonNull(decision, "decision");
    this.interval = Objects.requireNonNull(interval, "interval");
    for (GatewayKind k : GatewayKind.values()) {
      Map<SessionHealth, Counter> byResult = new EnumMap<>(SessionHealth.class);
      for (SessionHealth h : SessionHealth.values()) {
        byResult.put(h, counter(registry, k.tag(), h.tag()));
      }
      probes.put(k, byResult);
    }
    // a gateway_kind Herald does not know: refused, tagged apart (bounded: one series)
    this.unknownKind = counter(registry, "unknown", SessionHealth.REFUSED.tag());
    Gauge.builder("herald.sender.devices.session.lost", lost, AtomicLong::get)
        .description("gateway devices held by Herald's session mark after the last probe pass")
        .register(registry);
    this.loop =
        ServiceLoop.named("herald-device-probe")
            .metrics(registry)
            .daemon(true)
            .body(this::passThenWait)
            .onFailure(
                (e, attempt, backoff) -> {
                  if (e instanceof Error) {
                    return Decision.FATAL;
                  }
                  log.warn(
                      "Device probe pass failed, next try in {}: attempt={} reason={}",
                      backoff,
                      attempt,
                      e.toString());
                  return Decision.RETRY;
                })
            .backoff(interval, interval)
            .onFatal(onFatal)
            .joinTimeout(Duration.ofSeconds(5))
            .build();
  }

  private static Counter counter(MeterRegistry registry, String kind, String result) {
    return Counter.builder("herald.sender.device.probes")
        .description("gateway session probes by gateway kind and result")
        .tag("kind", kind)
        .tag("result", result)
        .register(registry);
  }

  public DeviceProber start() {
    loop.start();
    return this;
  }

  public boolean healthy() {
    return loop.healthy();
  }

  private boolean passThenWait() throws Exception {
    if (loop.stopping()) {
      return false;
    }
    runPass();
    loop.pause(interval);
    return true;
  }

  /** One pass over every gateway device; visible for tests. */
  void runPass() {
    long held = 0;
    String after = null;
    while (!loop.stopping()) {
      List<JdbcDeviceHealth.Row> page = rows.page(after, PAGE_SIZE);
      if (page.isEmpty()) {
        break;
      }
      held += probePage(page);
      after = page.get(page.size() - 1).id();
      if (page.size() < PAGE_SIZE) {
        break;
      }
    }
    lost.set(held);
  }

  /** Probes the page's devices in parallel, then writes; answers how many stay held by the mark. */
  private long probePage(List<JdbcDeviceHealth.Row> page) {
    List<JdbcDeviceHealth.Row> probed = new ArrayList<>();
    List<GatewayKind> kinds = new ArrayList<>();
    List<CompletableFuture<ProbeResult>> answers = new ArrayList<>();
    long held = 0;
    for (JdbcDeviceHealth.Row row : page) {
      if (!decision.concerns(row.status(), row.pausedReason())) {
        continue; // an operator's pause or an invalid row: no probe, nothing to write
      }
      Optional<GatewayKind> kind = GatewayKind.of(row.config());
      if (kind.isEmpty()) {
        unknownKind.increment();
        log.warn("Device not probed, gateway_kind not known: device={}", row.id());
        held += HealthDecision.isHeraldMark(row.status(), row.pausedReason()) ? 1 : 0;
        continue;
      }
      probed.add(row);
      kinds.add(kind.get());
      answers.add(probe.probe(kind.get(), row.config()));
    }
    for (int i = 0; i < probed.size(); i++) {
      held += apply(probed.get(i), kinds.get(i), answers.get(i).join()) ? 1 : 0;
    }
    return held;
  }

  /** Counts and applies one answer; true when the device is held by Herald's mark afterwards. */
  private boolean apply(JdbcDeviceHealth.Row row, GatewayKind kind, ProbeResult r) {
    probes.get(kind).get(r.health()).increment();
    boolean marked = HealthDecision.isHeraldMark(row.status(), row.pausedReason());
    if (r.health() == SessionHealth.REFUSED) {
      // once per device until it changes: a refused row would otherwise warn every interval
      if (refusedLogged.add(row.id())) {
        log.warn(
            "Device not probed, its row may not reach the gateway: device={} kind={} reason={}",
            row.id(),
            kind.tag(),
            r.detail());
      }
    } else {
      refusedLogged.remove(row.id());
    }
    if (r.health() == SessionHealth.UNKNOWN) {
      log.debug(
          "Device probe gave no answer, nothing changed: device={} kind={} result={} detail={}",
          row.id(),
          kind.tag(),
          r.health().tag(),
          r.detail());
    }
    HealthDecision.Action a = decision.decide(row.status(), row.pausedReason(), r);
    switch (a.kind()) {
      case MARK:
        if (rows.mark(row.id(), row.status(), row.pausedReason(), a.reason())) {
          if (r.health() == SessionHealth.BANNED) {
            log.error(
                "Gateway session failed, device held until it works again (re-pair or check for"
                    + " a ban): device={} kind={} state={}",
                row.id(),
                kind.tag(),
                r.state());
          } else {
            log.warn(
                "Gateway session lost, device held: device={} kind={} state={}",
                row.id(),
                kind.tag(),
                r.state());
          }
          return true;
        }
        return marked; // changed meanwhile: the next pass reads it again
      case RESTORE:
        if (rows.restore(row.id())) {
          log.info(
              "Gateway session back, device active again: device={} kind={}", row.id(), kind.tag());
          return false;
        }
        return marked;
      default:
        return marked;
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
