package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.config.StorageProperties;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.provisioner.Periodic;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.storage.AbandonedUploads;
import dev.miosa.data.storage.ContentUploads;
import dev.miosa.data.storage.ObjectSigner;
import dev.miosa.data.storage.StorageBackends;
import dev.miosa.data.storage.StorageProvider;
import dev.miosa.data.storage.StorageServer;
import dev.miosa.data.storage.StorageSigning;
import dev.miosa.data.storage.StoredStorageTargets;
import dev.miosa.data.storage.web.StorageSigningController;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * Wires object storage: the store from {@code MIOSA_STORAGE_*}, or an S3Proxy under the data
 * directory for the embedded default; the provider; and the signing API served under {@code
 * /v1/storage/<resource id>} (which the admin-token filter leaves to the storage key check).
 */
@Configuration(proxyBeanMethods = false)
public class StorageWiring {

  private static final Logger log = LoggerFactory.getLogger(StorageWiring.class);

  @Bean(destroyMethod = "close")
  StorageBackends storageBackends(StorageProperties props, EmbeddedServers embedded) {
    return new StorageBackends(java.util.List.of(server(props, embedded)));
  }

  @Bean
  StorageProvider storageProvider(
      StorageBackends backends, MiosaProperties miosa, Environment environment) {
    return new StorageProvider(backends, apiPublicUrl(miosa, environment));
  }

  @Bean
  StorageSigning storageSigning(ResourceStore resources, StorageBackends backends) {
    ContentUploads content = new ContentUploads();
    return new StorageSigning(
        new StoredStorageTargets(resources),
        backends,
        new ObjectSigner(Clock.systemUTC(), content),
        content);
  }

  @Bean(destroyMethod = "close")
  UploadSweeper abandonedUploadSweeper(
      ResourceStore resources, StorageBackends backends, StorageProperties props) {
    return new UploadSweeper(
        new AbandonedUploads(
            new StoredStorageTargets(resources)::all,
            backends,
            new ContentUploads(),
            props.abandonedUploadTtl(),
            Clock.systemUTC()),
        props.abandonedUploadTtl());
  }

  /**
   * Sweeps abandoned content-addressed uploads from when the application is ready, every quarter of
   * the window (at most hourly, at least every minute); stops on shutdown.
   */
  static final class UploadSweeper implements AutoCloseable {
    private final AbandonedUploads uploads;
    private final Duration interval;
    private ScheduledExecutorService timer;

    UploadSweeper(AbandonedUploads uploads, Duration ttl) {
      this.uploads = uploads;
      Duration quarter = ttl.dividedBy(4);
      this.interval =
          quarter.compareTo(Duration.ofHours(1)) > 0
              ? Duration.ofHours(1)
              : quarter.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : quarter;
    }

    @EventListener(ApplicationReadyEvent.class)
    synchronized void start() {
      if (timer == null) {
        timer = Periodic.start("abandoned-upload-sweeper", interval, interval, uploads::sweep);
      }
    }

    @Override
    public synchronized void close() {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }

  @Bean
  StorageSigningController storageSigningController(StorageSigning signing) {
    return new StorageSigningController(signing);
  }

  /**
   * The configured store, or (no {@code MIOSA_STORAGE_URL}) S3Proxy started under {@code <data
   * dir>/s3proxy} and stopped with the context.
   */
  static StorageServer server(StorageProperties props, EmbeddedServers embedded) {
    URI publicUrl =
        blank(props.publicUrl()) ? null : parse(props.publicUrl(), "MIOSA_STORAGE_PUBLIC_URL");
    if (props.embedded()) {
      LocalS3Proxy s3;
      try {
        s3 = LocalS3Proxy.start(embedded.dataDir().resolve("s3proxy"));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "could not start the embedded object store (S3Proxy): " + e.getMessage(), e);
      }
      embedded.register(s3);
      log.info(
          "embedded object store: S3Proxy on {} (filesystem backend under {}); browsers get URLs for {}",
          s3.endpoint(),
          s3.objectsDir(),
          publicUrl == null ? s3.endpoint() : publicUrl);
      return new StorageServer(
          "local",
          s3.endpoint(),
          publicUrl,
          LocalS3Proxy.REGION,
          s3.accessKey(),
          s3.secretKey(),
          props.bucketPrefix());
    }
    if (blank(props.accessKey()) || blank(props.secretKey())) {
      throw new IllegalStateException(
          "MIOSA_STORAGE_ACCESS_KEY and MIOSA_STORAGE_SECRET_KEY must be set with MIOSA_STORAGE_URL");
    }
    try {
      return new StorageServer(
          "s3-1",
          parse(props.url(), "MIOSA_STORAGE_URL"),
          publicUrl,
          props.region(),
          props.accessKey(),
          Secret.of(props.secretKey()),
          props.bucketPrefix());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "object store settings: " + e.getMessage() + " (MIOSA_STORAGE_*)", e);
    }
  }

  /** {@code MIOSA_PUBLIC_URL}, else {@code http://localhost:<the port the server bound>}. */
  static Supplier<URI> apiPublicUrl(MiosaProperties miosa, Environment environment) {
    if (!blank(miosa.publicUrl())) {
      URI fixed = parse(miosa.publicUrl(), "MIOSA_PUBLIC_URL");
      return () -> fixed;
    }
    return () ->
        URI.create(
            "http://localhost:"
                + environment.getProperty(
                    "local.server.port", environment.getProperty("server.port", "8080")));
  }

  private static URI parse(String url, String setting) {
    try {
      URI uri = URI.create(url.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(setting + " must be an http(s) URL such as http://host:9000");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
