package dev.miosa.data.api.config;

import dev.miosa.data.local.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.DisposableBean;

/**
 * The local servers of the embedded default, each started on first use under the data directory and
 * stopped when the application context closes. A server left running by a killed process is found
 * and reused on the next start.
 */
public final class EmbeddedServers implements DisposableBean {

  private final Path dataDir;
  private final List<AutoCloseable> started = new ArrayList<>();
  private LocalPostgres controlPlane;
  private LocalPostgres tenantPostgres;

  /**
   * @param dataDir the data directory ({@code MIOSA_DATA_DIR})
   */
  public EmbeddedServers(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath();
  }

  /**
   * The data directory, created on first use: only the embedded servers, the generated master key
   * and admin token and the default volume root live there.
   *
   * @return its absolute path
   * @throws UncheckedIOException when it cannot be created
   */
  public Path dataDir() {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
    }
    return dataDir;
  }

  /** The control-plane store's cluster ({@code <dataDir>/control-postgres}). */
  public synchronized LocalPostgres controlPlanePostgres() {
    if (controlPlane == null) {
      controlPlane = startPostgres("control-postgres");
    }
    return controlPlane;
  }

  /** The tenant cluster ({@code <dataDir>/tenant-postgres}). */
  public synchronized LocalPostgres tenantPostgres() {
    if (tenantPostgres == null) {
      tenantPostgres = startPostgres("tenant-postgres");
    }
    return tenantPostgres;
  }

  /**
   * Registers another local server to stop with the context (used by other services' wiring).
   *
   * @param server the server
   */
  public synchronized void register(AutoCloseable server) {
    started.add(server);
  }

  private LocalPostgres startPostgres(String name) {
    try {
      LocalPostgres pg =
          LocalPostgres.start(dataDir().resolve(name), Map.of("max_connections", "300"));
      started.add(pg);
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not start the embedded PostgreSQL (" + name + "): " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void destroy() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception ignored) {
        // best effort on shutdown
      }
    }
    started.clear();
  }
}
