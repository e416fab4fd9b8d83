package dev.miosa.data.api.ops;

import dev.miosa.data.api.audit.AuditLog;
import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.wiring.VolumeProperties;
import dev.miosa.data.postgres.PostgresProvider;
import dev.miosa.data.postgres.PostgresServer;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.redis.RedisProvider;
import dev.miosa.data.storage.StorageBackends;
import dev.miosa.data.volumes.Volumes;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.minio.BucketExistsArgs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Operations wiring: the request id filter and access log, the control plane's metrics, and the
 * probes of every backend server with their health contributor {@code backends} (its own health
 * group; readiness reflects only the control plane's own store). Figures are refreshed every {@code
 * miosa.metrics.refresh-interval} (default 15 s) on one background thread.
 */
@Configuration(proxyBeanMethods = false)
public class ObservabilityConfig {

  private static final Logger log = LoggerFactory.getLogger(ObservabilityConfig.class);
  private static final int TIMEOUT_SECONDS = 3;

  @Bean
  FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
    FilterRegistrationBean<RequestIdFilter> bean =
        new FilterRegistrationBean<>(new RequestIdFilter());
    bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return bean;
  }

  @Bean
  ControlPlaneMetrics controlPlaneMetrics(
      JdbcClient jdbc, MeterRegistry registry, OperationWorker worker) {
    ControlPlaneMetrics metrics = new ControlPlaneMetrics(jdbc, registry);
    worker.setEvents(metrics);
    return metrics;
  }

  @Bean
  BackendMonitor backendMonitor(
      List<ServiceProvider> providers,
      ObjectProvider<StorageBackends> storage,
      ObjectProvider<Volumes> volumes,
      ObjectProvider<VolumeProperties> volumeProps,
      MiosaProperties miosa,
      MeterRegistry registry) {
    List<BackendMonitor.Probe> probes = new ArrayList<>();
    for (ServiceProvider provider : providers) {
      if (provider instanceof PostgresProvider pg) {
        for (PostgresServer s : pg.servers()) {
          probes.add(new BackendMonitor.Probe("postgres", s.id(), () -> selectOne(s)));
        }
        pg.pooler()
            .ifPresent(
                r ->
                    probes.add(
                        new BackendMonitor.Probe(
                            "pgbouncer",
                            "pgbouncer",
                            () -> connect(r.settings().adminHost(), r.settings().adminPort()))));
      } else if (provider instanceof RedisProvider redis) {
        for (String id : redis.backends()) {
          probes.add(new BackendMonitor.Probe("redis", id, () -> redis.admin(id).serverInfo()));
        }
      }
    }
    StorageBackends stores = storage.getIfAvailable();
    if (stores != null) {
      for (String id : stores.ids()) {
        probes.add(
            new BackendMonitor.Probe(
                "storage",
                id,
                () ->
                    stores
                        .get(id)
                        .admin()
                        .bucketExists(BucketExistsArgs.builder().bucket("miosa-probe").build())));
      }
    }
    VolumeProperties vp = volumeProps.getIfAvailable();
    if (volumes.getIfAvailable() != null && vp != null) {
      Path root = vp.root() != null ? vp.root() : miosa.dataDir().resolve("volumes");
      probes.add(new BackendMonitor.Probe("volumes", "root", () -> writableDirectory(root)));
    }
    return new BackendMonitor(probes, registry);
  }

  /**
   * The audit log's backlog: reads not yet written, the age of the oldest, failed writes and reads
   * refused because the backlog was full (see {@link AuditLog#stats()}).
   */
  @Bean
  MeterBinder auditLogMetrics(AuditLog audit) {
    return registry -> {
      Gauge.builder("miosa.audit.backlog", audit, a -> a.stats().backlog())
          .description("Credential reads recorded but not yet written to the audit log")
          .register(registry);
      Gauge.builder(
              "miosa.audit.backlog.oldest.age",
              audit,
              a -> a.stats().oldestPendingMillis() / 1000.0)
          .description("Age of the oldest unwritten audit read (0 when none)")
          .baseUnit("seconds")
          .register(registry);
      FunctionCounter.builder("miosa.audit.write.failures", audit, a -> a.stats().failedWrites())
          .description("Audit log writes that failed and are being retried")
          .register(registry);
      FunctionCounter.builder("miosa.audit.refused", audit, a -> a.stats().refused())
          .description("Credential reads refused (503) because the audit backlog was full")
          .register(registry);
    };
  }

  /** Every backend server's health, grouped by kind (in the health group {@code backends}). */
  @Bean
  CompositeHealthContributor backendServers(BackendMonitor monitor) {
    return monitor.health();
  }

  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService metricsRefresher() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "miosa-metrics");
          t.setDaemon(true);
          return t;
        });
  }

  /** Starts the refresh once the application is ready (the store is migrated by then). */
  @EventListener(ApplicationReadyEvent.class)
  void startRefreshing(ApplicationReadyEvent event) {
    var ctx = event.getApplicationContext();
    ScheduledExecutorService timer =
        ctx.getBean("metricsRefresher", ScheduledExecutorService.class);
    BackendMonitor monitor = ctx.getBean(BackendMonitor.class);
    ControlPlaneMetrics metrics = ctx.getBean(ControlPlaneMetrics.class);
    Duration interval =
        ctx.getEnvironment()
            .getProperty("miosa.metrics.refresh-interval", Duration.class, Duration.ofSeconds(15));
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            monitor.probeAll();
            metrics.refresh();
          } catch (RuntimeException e) {
            log.warn("metrics refresh failed: {}", e.toString());
          }
        },
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static void selectOne(PostgresServer s) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", s.adminUser());
    p.setProperty("password", s.adminPassword().reveal());
    p.setProperty("connectTimeout", String.valueOf(TIMEOUT_SECONDS));
    p.setProperty("loginTimeout", String.valueOf(TIMEOUT_SECONDS));
    p.setProperty("socketTimeout", String.valueOf(TIMEOUT_SECONDS * 2));
    try (Connection c = DriverManager.getConnection(s.adminJdbcUrl(s.adminDatabase()), p)) {
      c.createStatement().execute("SELECT 1");
    }
  }

  private static void connect(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_SECONDS * 1000);
    }
  }

  private static void writableDirectory(Path root) throws IOException {
    if (!Files.isDirectory(root) || !Files.isWritable(root)) {
      throw new IOException(root + " is not a writable directory");
    }
  }
}
