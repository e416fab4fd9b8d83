package dev.miosa.data.local;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobProviderMetadata;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible object store run in this JVM: S3Proxy ({@code org.gaul:s3proxy}, see
 * https://github.com/gaul/s3proxy) with its filesystem backend ({@code filesystem-nio2}), on {@code
 * 127.0.0.1} and a free port, requiring AWS Signature V2/V4 with one generated key pair. Used by
 * the embedded default and by tests; clients reach it only over HTTP (the MinIO SDK, presigned
 * URLs), as they would reach MinIO.
 *
 * <p>Layout under the base directory: {@code objects/} (one directory per bucket), {@code
 * credentials} (access key and secret key, mode 0600) and {@code port}. Starting again on the same
 * directory keeps the objects, the key pair and, when it is still free, the port.
 *
 * <p>S3Proxy verifies SigV4 signatures (header and presigned query, with any signed headers such as
 * {@code Content-Type} and {@code Content-Length}) and presigned expiry, answers anonymous requests
 * on private buckets with 403/404, and allows every CORS origin so that browser pages can use
 * signed URLs. It does not check a POST policy's conditions (only its signature).
 */
public final class LocalS3Proxy extends LocalServer {

  private static final Logger log = LoggerFactory.getLogger(LocalS3Proxy.class);

  /** The region S3Proxy accepts in signatures (it does not check it; MinIO's default). */
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final String accessKey;
  private final Secret secretKey;

  private LocalS3Proxy(Path base, S3Proxy proxy, String accessKey, Secret secretKey, int port) {
    super(base, port);
    this.proxy = proxy;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /**
   * Starts S3Proxy over the objects under {@code base}, generating a key pair on first start.
   *
   * @param base the store's directory (created if absent)
   * @return the running store
   * @throws IOException when the directory cannot be prepared or the server does not start
   */
  public static LocalS3Proxy start(Path base) throws IOException {
    base = base.toAbsolutePath();
    Path objects = base.resolve("objects");
    Files.createDirectories(objects);
    Path credentialsFile = base.resolve("credentials");
    if (!Files.exists(credentialsFile)) {
      String newAccessKey =
          "miosa"
              + Passwords.alphanumeric(32)
                  .reveal()
                  .substring(0, 15)
                  .toUpperCase(java.util.Locale.ROOT);
      LocalProcesses.writePrivate(
          credentialsFile, newAccessKey + "\n" + Passwords.alphanumeric(40).reveal() + "\n");
    }
    List<String> lines = Files.readAllLines(credentialsFile);
    if (lines.size() < 2 || lines.get(0).isBlank() || lines.get(1).isBlank()) {
      throw new IOException(
          credentialsFile + " must hold the access key and the secret key on two lines");
    }
    String accessKey = lines.get(0).trim();
    Secret secretKey = Secret.of(lines.get(1).trim());

    Properties overrides = new Properties();
    overrides.setProperty(FilesystemConstants.PROPERTY_BASEDIR, objects.toString());
    var blobStore =
        // By metadata, not by id: a look-up by id loads every registered provider, and the cloud
        // ones (Azure) are left out of the classpath.
        ContextBuilder.newBuilder(new FilesystemNio2BlobProviderMetadata())
            .credentials("local", "local")
            .overrides(overrides)
            .build(BlobStoreContext.class)
            .getBlobStore();

    Path portFile = base.resolve("port");
    int wanted = 0;
    if (Files.exists(portFile)) {
      int saved = Integer.parseInt(Files.readString(portFile).trim());
      if (LocalProcesses.isFree(saved)) {
        wanted = saved;
      }
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:" + wanted))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey.reveal())
            .corsRules(new CrossOriginResourceSharing())
            .jettyMaxThreads(64)
            .build();
    try {
      proxy.start();
    } catch (Exception e) {
      throw new IOException("S3Proxy did not start under " + base + ": " + e.getMessage(), e);
    }
    int port = proxy.getPort();
    Files.writeString(portFile, Integer.toString(port));
    log.info("S3Proxy (filesystem backend under {}) started on http://127.0.0.1:{}", objects, port);
    return new LocalS3Proxy(base, proxy, accessKey, secretKey, port);
  }

  /** The endpoint clients use, {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://" + HOST + ":" + port);
  }

  /** The access key (identity) every request must be signed with. */
  public String accessKey() {
    return accessKey;
  }

  /** The secret key. */
  public Secret secretKey() {
    return secretKey;
  }

  /** The directory holding one subdirectory per bucket. */
  public Path objectsDir() {
    return base.resolve("objects");
  }

  /** Stops the server; the objects stay on disk. */
  @Override
  public void stop() {
    try {
      proxy.stop();
      log.info("S3Proxy under {} stopped", base);
    } catch (Exception e) {
      log.warn("stopping S3Proxy under {} failed: {}", base, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "LocalS3Proxy[" + endpoint() + "]";
  }
}
