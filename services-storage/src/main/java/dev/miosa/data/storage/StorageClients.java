package dev.miosa.data.storage;

import io.minio.MinioClient;
import io.minio.http.HttpUtils;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * The two MinIO SDK clients of one object store.
 *
 * <ul>
 *   <li>{@link #admin()}: the internal endpoint, for bucket and object work by the control plane.
 *   <li>{@link #presigner()}: the public endpoint, for signing URLs only. It is given the region,
 *       so the SDK never looks a bucket's region up, and its HTTP client refuses every call, so a
 *       code path that would reach the store from a signing request fails loudly instead of
 *       silently sending traffic to the public host.
 * </ul>
 */
public final class StorageClients implements AutoCloseable {

  private final StorageServer server;
  private final MinioClient admin;
  private final MinioClient presigner;
  private final OkHttpClient adminHttp;

  /**
   * @param server the store
   * @param connectTimeout connect timeout of the internal client
   * @param ioTimeout read and write timeout of the internal client
   */
  public StorageClients(StorageServer server, Duration connectTimeout, Duration ioTimeout) {
    this.server = server;
    this.adminHttp =
        HttpUtils.newDefaultHttpClient(
            connectTimeout.toMillis(), ioTimeout.toMillis(), ioTimeout.toMillis());
    this.admin = client(server, server.endpoint(), adminHttp);
    OkHttpClient refuseAll =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  throw new IOException("the presigning client never calls the object store");
                })
            .build();
    this.presigner = client(server, server.publicEndpoint(), refuseAll);
  }

  private static MinioClient client(StorageServer server, URI endpoint, OkHttpClient http) {
    return MinioClient.builder()
        .endpoint(endpoint.toString())
        .region(server.region())
        .credentials(server.accessKey(), server.secretKey().reveal())
        .httpClient(http)
        .build();
  }

  /** A client with 10 s connect and 5 min I/O timeouts. */
  public StorageClients(StorageServer server) {
    this(server, Duration.ofSeconds(10), Duration.ofMinutes(5));
  }

  /** The store. */
  public StorageServer server() {
    return server;
  }

  /** The client on the internal endpoint. */
  public MinioClient admin() {
    return admin;
  }

  /** The HTTP client of the internal endpoint, for requests the SDK does not make (form posts). */
  OkHttpClient http() {
    return adminHttp;
  }

  /** The signing-only client on the public endpoint. */
  public MinioClient presigner() {
    return presigner;
  }

  @Override
  public void close() {
    adminHttp.dispatcher().executorService().shutdown();
    adminHttp.connectionPool().evictAll();
  }
}
