package dev.miosa.data.storage;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.PostPolicy;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out by behaviour whether an object store enforces the conditions of a browser form's POST
 * policy. Every bucket on a store shares the platform's store identity, so a store that checks only
 * the policy's signature (S3Proxy) lets a form signed for one environment write into any bucket;
 * form uploads are offered only where the store refuses all of:
 *
 * <ol>
 *   <li>a form whose policy names another bucket than the one posted to,
 *   <li>a form whose policy has expired,
 *   <li>a body larger than the policy's {@code content-length-range},
 * </ol>
 *
 * while it accepts a correct form (so a malformed probe cannot pass for enforcement). The forms go
 * to the platform canary bucket {@code <prefix>form-canary} (never a tenant's: tenant buckets have
 * no {@code -} after the prefix); anything they wrote is deleted. The store's name or version is
 * never consulted.
 */
public final class FormUploadProbe {

  private static final Logger log = LoggerFactory.getLogger(FormUploadProbe.class);

  /** The canary bucket's name after the store's bucket prefix. */
  static final String CANARY = "form-canary";

  /**
   * What the store did with each probe form.
   *
   * @param otherBucket whether it accepted a form whose policy names another bucket
   * @param expired whether it accepted a form with an expired policy
   * @param overRange whether it accepted a body over the {@code content-length-range}
   * @param valid whether it accepted a correct form
   */
  public record Result(boolean otherBucket, boolean expired, boolean overRange, boolean valid) {
    /** Whether the store enforces policies: it refused every bad form and accepted the good one. */
    public boolean enforced() {
      return valid && !otherBucket && !expired && !overRange;
    }
  }

  private final Clock clock;

  /**
   * @param clock the clock policies' expirations are computed with
   */
  public FormUploadProbe(Clock clock) {
    this.clock = clock;
  }

  /**
   * Probes a store.
   *
   * @param clients the store's clients (the internal endpoint is probed)
   * @return what the store accepted
   * @throws IOException when the store cannot be reached or answers unexpectedly (nothing is
   *     decided then)
   */
  public Result probe(StorageClients clients) throws IOException {
    String bucket = BucketNames.requireValid(clients.server().bucketPrefix() + CANARY);
    try {
      var admin = clients.admin();
      if (!admin.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        admin.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
      }
      ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
      ZonedDateTime later = now.plusMinutes(5);
      String suffix = Long.toString(clock.millis(), 36);
      Result result =
          new Result(
              accepted(clients, bucket, bucket + "-other", "other-" + suffix, later, 16, 1024),
              accepted(
                  clients, bucket, bucket, "expired-" + suffix, now.minusMinutes(10), 16, 1024),
              accepted(clients, bucket, bucket, "too-large-" + suffix, later, 64, 16),
              accepted(clients, bucket, bucket, "valid-" + suffix, later, 16, 1024));
      log.info(
          "object store {}: form uploads {} (probe: other bucket {}, expired {}, over range {},"
              + " valid {})",
          clients.server().id(),
          result.enforced() ? "offered" : "not offered",
          word(result.otherBucket()),
          word(result.expired()),
          word(result.overRange()),
          word(result.valid()));
      return result;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("probing form uploads failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Posts one form to {@code postBucket} signed with a policy that names {@code policyBucket};
   * whether the store stored the object (it is deleted again).
   */
  private boolean accepted(
      StorageClients clients,
      String postBucket,
      String policyBucket,
      String key,
      ZonedDateTime expiration,
      int bodySize,
      long maxLength)
      throws Exception {
    PostPolicy policy = new PostPolicy(policyBucket, expiration);
    policy.addEqualsCondition("key", key);
    policy.addContentLengthRangeCondition(0L, maxLength);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("key", key);
    fields.putAll(clients.admin().getPresignedPostFormData(policy));
    MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM);
    fields.forEach(form::addFormDataPart);
    form.addFormDataPart(
        "file",
        "canary.bin",
        RequestBody.create(new byte[bodySize], MediaType.get("application/octet-stream")));
    Request request =
        new Request.Builder()
            .url(clients.server().endpoint() + "/" + postBucket)
            .post(form.build())
            .build();
    int status;
    try (Response response = clients.http().newCall(request).execute()) {
      status = response.code();
    }
    boolean stored = exists(clients, postBucket, key);
    if (stored) {
      clients
          .admin()
          .removeObject(RemoveObjectArgs.builder().bucket(postBucket).object(key).build());
    }
    if (status >= 500) {
      throw new IOException("the object store answered " + status + " to a form upload");
    }
    return stored || status / 100 == 2;
  }

  private static String word(boolean accepted) {
    return accepted ? "accepted" : "refused";
  }

  private static boolean exists(StorageClients clients, String bucket, String key)
      throws Exception {
    try {
      clients.admin().statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
      return true;
    } catch (ErrorResponseException e) {
      return false;
    }
  }
}
