package dev.miosa.data.api.config;

import dev.miosa.data.storage.AbandonedUploads;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The S3-compatible object store of storage data services ({@code miosa.storage.*}).
 *
 * @param url the store's endpoint as the control plane reaches it ({@code MIOSA_STORAGE_URL}, e.g.
 *     {@code http://minio:9000}); unset: the embedded default starts S3Proxy under the data
 *     directory
 * @param publicUrl the same store as browsers reach it ({@code MIOSA_STORAGE_PUBLIC_URL}, e.g.
 *     {@code https://files.example.com}); every URL handed out is signed for this host; default:
 *     {@code url}
 * @param accessKey an access key allowed to create and delete buckets and objects ({@code
 *     MIOSA_STORAGE_ACCESS_KEY}); required with {@code url}
 * @param secretKey its secret key ({@code MIOSA_STORAGE_SECRET_KEY}); required with {@code url}
 * @param region the region signatures name ({@code MIOSA_STORAGE_REGION}, default {@code
 *     us-east-1}, MinIO's default)
 * @param bucketPrefix prefix of bucket names ({@code MIOSA_STORAGE_BUCKET_PREFIX}, default {@code
 *     miosa-}); lets several control planes share one store
 * @param abandonedUploadTtl how long a content-addressed upload may wait for its finalize before it
 *     is deleted ({@code MIOSA_STORAGE_ABANDONED_UPLOAD_TTL}, default {@code 24h}; positive)
 */
@ConfigurationProperties("miosa.storage")
public record StorageProperties(
    String url,
    String publicUrl,
    String accessKey,
    String secretKey,
    @DefaultValue("us-east-1") String region,
    @DefaultValue("miosa-") String bucketPrefix,
    @DefaultValue("24h") Duration abandonedUploadTtl) {

  /** Applies the default window and checks it. */
  public StorageProperties {
    if (abandonedUploadTtl == null) {
      abandonedUploadTtl = AbandonedUploads.DEFAULT_TTL;
    }
    if (abandonedUploadTtl.isNegative() || abandonedUploadTtl.isZero()) {
      throw new IllegalStateException(
          "MIOSA_STORAGE_ABANDONED_UPLOAD_TTL must be a positive duration such as 24h");
    }
  }

  /** Whether no store is configured (the embedded default runs S3Proxy). */
  public boolean embedded() {
    return url == null || url.isBlank();
  }

  @Override
  public String toString() {
    return "StorageProperties[url=" + url + ", publicUrl=" + publicUrl + ", region=" + region + "]";
  }
}
