package dev.miosa.data.api.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Probes every backend server (tenant PostgreSQL servers, PgBouncer, Redis servers, object stores,
 * the volume host directory) on a schedule and keeps the last result of each. Health indicators and
 * the {@code miosa.backend.up} gauge read those results, so a health request never reaches a
 * backend itself (the health endpoint is public).
 */
public final class BackendMonitor {

  private static final Logger log = LoggerFactory.getLogger(BackendMonitor.class);

  /** A check that returns when the server answers and throws when it does not. */
  @FunctionalInterface
  public interface Check {
    /**
     * Runs the check.
     *
     * @throws Exception when the server did not answer as expected
     */
    void run() throws Exception;
  }

  /**
   * One backend server.
   *
   * @param type its kind ({@code postgres}, {@code pgbouncer}, {@code redis}, {@code storage},
   *     {@code volumes})
   * @param id its id among the servers of that kind
   * @param check the liveness check, with its own timeouts
   */
  public record Probe(String type, String id, Check check) {}

  private final List<Probe> probes;
  private final Map<Probe, Boolean> up = new ConcurrentHashMap<>();

  /**
   * @param probes the servers to probe
   * @param registry where the {@code miosa.backend.up} gauge of each server goes
   */
  public BackendMonitor(List<Probe> probes, MeterRegistry registry) {
    this.probes = List.copyOf(probes);
    for (Probe p : this.probes) {
      Gauge.builder("miosa.backend.up", () -> value(up.get(p)))
          .description("1 when the backend server answered its last probe, 0 when not, NaN before")
          .tag("type", p.type())
          .tag("server", p.id())
          .register(registry);
    }
  }

  private static double value(Boolean ok) {
    return ok == null ? Double.NaN : ok ? 1 : 0;
  }

  /** Probes every server once, one after the other. */
  public void probeAll() {
    for (Probe p : probes) {
      boolean ok;
      try {
        p.check().run();
        ok = true;
      } catch (Exception e) {
        ok = false;
        if (!Boolean.FALSE.equals(up.get(p))) {
          log.warn("backend {} {} does not answer: {}", p.type(), p.id(), e.toString());
        }
      }
      Boolean before = up.put(p, ok);
      if (ok && Boolean.FALSE.equals(before)) {
        log.info("backend {} {} answers again", p.type(), p.id());
      }
    }
  }

  /**
   * The health of every server, grouped by kind: {@code UNKNOWN} before its first probe.
   *
   * @return a composite of one composite per kind, of one indicator per server
   */
  public CompositeHealthContributor health() {
    Map<String, Map<String, HealthIndicator>> byType = new LinkedHashMap<>();
    for (Probe p : probes) {
      HealthIndicator indicator =
          () -> {
            Boolean ok = up.get(p);
            return ok == null
                ? Health.unknown().build()
                : ok ? Health.up().build() : Health.down().build();
          };
      byType.computeIfAbsent(p.type(), t -> new LinkedHashMap<>()).put(p.id(), indicator);
    }
    Map<String, CompositeHealthContributor> types = new LinkedHashMap<>();
    byType.forEach((type, servers) -> types.put(type, CompositeHealthContributor.fromMap(servers)));
    return CompositeHealthContributor.fromMap(types);
  }
}
