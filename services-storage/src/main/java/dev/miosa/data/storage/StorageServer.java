package dev.miosa.data.storage;

import dev.miosa.data.credentials.Secret;
import java.net.URI;
import java.util.Objects;

/**
 * An S3-compatible object store (a backend server) that buckets are placed on: MinIO in production,
 * S3Proxy in tests and in the embedded default.
 *
 * @param id backend id recorded on resources ({@code s3-1})
 * @param endpoint the URL the control plane reaches the store at ({@code http://minio:9000})
 * @param publicEndpoint the URL browsers reach the same store at; every URL handed out is signed
 *     for this host, since a SigV4 signature covers the {@code Host} header (defaults to {@code
 *     endpoint})
 * @param region the region names signatures carry ({@code us-east-1} unless the store is set up
 *     otherwise); given explicitly so that signing never asks the store
 * @param accessKey an access key allowed to create and delete buckets and objects
 * @param secretKey its secret key
 * @param bucketPrefix prefix of the bucket names made here (lowercase letters, digits, {@code -};
 *     at most 20 characters); lets several control planes share one store
 */
public record StorageServer(
    String id,
    URI endpoint,
    URI publicEndpoint,
    String region,
    String accessKey,
    Secret secretKey,
    String bucketPrefix) {

  /** Checks the values and applies defaults. */
  public StorageServer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
    endpoint = requireBaseUrl(endpoint, "endpoint");
    publicEndpoint =
        publicEndpoint == null ? endpoint : requireBaseUrl(publicEndpoint, "publicEndpoint");
    if (region == null || region.isBlank()) {
      region = "us-east-1";
    }
    if (bucketPrefix == null) {
      bucketPrefix = BucketNames.DEFAULT_PREFIX;
    }
    BucketNames.requireValidPrefix(bucketPrefix);
  }

  private static URI requireBaseUrl(URI uri, String what) {
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "the object store's " + what + " must be an http(s) URL with a host");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!path.isEmpty() && !path.equals("/")) {
      throw new IllegalArgumentException(
          "the object store's "
              + what
              + " must have no path (path-style buckets are appended to it)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "the object store's " + what + " must have no query, fragment or user info");
    }
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
  }

  @Override
  public String toString() {
    return "StorageServer[" + id + " " + endpoint + " public " + publicEndpoint + "]";
  }
}
