package dev.miosa.data.storage;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.TokenHashes;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import io.minio.BucketExistsArgs;
import io.minio.DeleteBucketPolicyArgs;
import io.minio.GetBucketPolicyArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveBucketArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import io.minio.messages.Item;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Object storage: for each environment a private bucket on an S3-compatible store, and a random
 * {@code STORAGE_KEY} that authenticates the environment's server code to the signing API at {@code
 * STORAGE_URL}. Browsers get only the short-lived URLs that API signs; no store key ever leaves the
 * control plane.
 *
 * <p>Invariants (see DESIGN.md beside this file): the bucket name comes from the resource id only;
 * buckets are created without an ACL and any bucket policy found on them is removed, so nothing is
 * anonymous; the key is stored once (re-provisioning reuses it) and only its SHA-256 is recorded as
 * an attribute, which is what the signing API compares against; deprovision deletes every object,
 * then the bucket.
 */
public final class StorageProvider implements ServiceProvider, CredentialRotation {

  private static final Logger log = LoggerFactory.getLogger(StorageProvider.class);

  /** Attribute: the bucket name. */
  public static final String ATTR_BUCKET = "bucket";

  /** Attribute: the lowercase hex SHA-256 of {@code STORAGE_KEY}. */
  public static final String ATTR_KEY_SHA256 = "keySha256";

  /** The secret's name on the resource. */
  public static final String SECRET_KEY = "key";

  /** Prefix of storage keys, so that a leaked one is recognisable by secret scanners. */
  public static final String KEY_PREFIX = "msk_";

  /** Path of the signing API under the api's public URL; the resource id follows. */
  public static final String SIGNING_PATH = "/v1/storage/";

  private final StorageBackends backends;
  private final Supplier<URI> apiPublicUrl;
  private final Supplier<Secret> keyGenerator;

  /**
   * @param backends the object stores
   * @param apiPublicUrl the control plane's public base URL ({@code MIOSA_PUBLIC_URL}), asked when
   *     variables are rendered (so it may depend on the port the server bound); {@code STORAGE_URL}
   *     is this plus {@code /v1/storage/<resource id>}
   * @param keyGenerator makes new storage keys (at least 32 random bytes)
   */
  public StorageProvider(
      StorageBackends backends, Supplier<URI> apiPublicUrl, Supplier<Secret> keyGenerator) {
    this.backends = backends;
    this.apiPublicUrl = apiPublicUrl;
    this.keyGenerator = keyGenerator;
  }

  /** A provider whose keys are {@code msk_} and 32 random bytes in base64url. */
  public StorageProvider(StorageBackends backends, Supplier<URI> apiPublicUrl) {
    this(
        backends,
        apiPublicUrl,
        () -> Secret.of(KEY_PREFIX + Passwords.randomBase64Url(32).reveal()));
  }

  @Override
  public String type() {
    return "storage";
  }

  @Override
  public List<String> backends() {
    return backends.ids();
  }

  @Override
  public Map<String, Object> validateConfig(Map<String, Object> config) {
    return StorageConfig.from(config).toMap();
  }

  /**
   * The {@code STORAGE_URL} of a resource.
   *
   * @param resourceId the resource id
   * @return the signing API's base URL for that resource (no trailing slash)
   */
  public String storageUrl(String resourceId) {
    String base = apiPublicUrl.get().toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
        + SIGNING_PATH
        + resourceId;
  }

  /** The bucket of a resource on its backend. */
  public String bucketOf(ResourceContext resource) {
    return resource
        .attributes()
        .getOrDefault(
            ATTR_BUCKET,
            BucketNames.forResource(
                backends.get(resource.backend()).server().bucketPrefix(), resource.resourceId()));
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    StorageClients clients = clients(resource);
    StorageConfig.from(resource.config());
    String bucket = bucketOf(resource);
    Secret key = resource.secret(SECRET_KEY, keyGenerator);
    MinioClient admin = clients.admin();
    boolean created = false;
    try {
      if (!admin.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        try {
          admin.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
          created = true;
        } catch (ErrorResponseException e) {
          String code = e.errorResponse().code();
          if ("BucketAlreadyExists".equals(code)) {
            throw new ProvisioningException(
                "BUCKET_NAME_TAKEN",
                "bucket " + bucket + " exists on the store and is not ours",
                false,
                e);
          }
          if (!"BucketAlreadyOwnedByYou".equals(code)) { // else a concurrent attempt won
            throw e;
          }
        }
      }
      // Buckets are private unless a policy opens them. S3Proxy never reports one (and would
      // read DELETE ?policy as a bucket delete), so the delete is only sent when one exists.
      String policy = bucketPolicy(admin, bucket);
      if (!policy.isBlank()) {
        admin.deleteBucketPolicy(DeleteBucketPolicyArgs.builder().bucket(bucket).build());
        log.warn("removed a bucket policy from {}: buckets of data services are private", bucket);
      }
    } catch (ProvisioningException e) {
      throw e;
    } catch (Exception e) {
      throw failure("create bucket " + bucket, e);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(ATTR_BUCKET, bucket);
    attributes.put(ATTR_KEY_SHA256, TokenHashes.sha256Hex(key.reveal()));
    return new ProvisionResult(
        created ? ProvisionResult.Action.CREATED : ProvisionResult.Action.UNCHANGED, attributes);
  }

  /**
   * Stores a new {@code STORAGE_KEY}; the signing API accepts it once the control plane promoted
   * it, and the previous one (recorded as {@code previous.keySha256}) until the grace ends.
   *
   * @return {@code next.keySha256}
   */
  @Override
  public Map<String, String> addNextCredentials(ResourceContext resource) {
    Secret next = resource.secret(CredentialRotation.NEXT + SECRET_KEY, keyGenerator);
    return Map.of(CredentialRotation.NEXT + ATTR_KEY_SHA256, TokenHashes.sha256Hex(next.reveal()));
  }

  /**
   * Nothing on the store: the previous key stops working when the control plane forgets its hash.
   * URLs it signed before stay valid until their own expiry (at most 7 days), as they are signed
   * with the store's identity, not the key.
   */
  @Override
  public void revokePreviousCredentials(ResourceContext resource) {
    // The signing API reads previous.keySha256 from the resource's record; removing it revokes.
  }

  /**
   * Soft delete: nothing to change on the object store. The tenant's {@code STORAGE_KEY} is only
   * ever checked by this control plane's signing endpoint, which signs for a resource only while
   * its data service is active and the resource wanted and ready ({@link StoredStorageTargets}); a
   * deleted data service's key is therefore refused from the moment the delete commits, and the
   * bucket and its objects are kept. URLs signed before the delete expire by their own short
   * lifetime. Idempotent.
   */
  @Override
  public void disable(ResourceContext resource) {
    // the refusal is the control plane's state; the bucket is kept as it is
  }

  /** Undoes {@link #disable}: nothing on the object store; signing resumes with the state. */
  @Override
  public void enable(ResourceContext resource) {
    // the same key works again once the resource is ready
  }

  @Override
  public void deprovision(ResourceContext resource) {
    StorageClients clients = clients(resource);
    String bucket = bucketOf(resource);
    MinioClient admin = clients.admin();
    try {
      if (!admin.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        return;
      }
      int removed = 0;
      while (true) {
        List<DeleteObject> batch = new ArrayList<>();
        for (Result<Item> r :
            admin.listObjects(
                ListObjectsArgs.builder().bucket(bucket).recursive(true).maxKeys(1000).build())) {
          batch.add(new DeleteObject(r.get().objectName()));
          if (batch.size() == 1000) {
            break;
          }
        }
        if (batch.isEmpty()) {
          break;
        }
        // removeObjects is lazy: its results must be read for the requests to be sent.
        for (Result<DeleteError> r :
            admin.removeObjects(
                RemoveObjectsArgs.builder().bucket(bucket).objects(batch).build())) {
          DeleteError error = r.get();
          throw new ProvisioningException(
              "BACKEND_ERROR",
              "could not delete an object of bucket " + bucket + " (" + error.code() + ")",
              true,
              null);
        }
        removed += batch.size();
      }
      admin.removeBucket(RemoveBucketArgs.builder().bucket(bucket).build());
      log.info("removed bucket {} and its {} objects", bucket, removed);
    } catch (ErrorResponseException e) {
      if (!"NoSuchBucket".equals(e.errorResponse().code())) {
        throw failure("remove bucket " + bucket, e);
      }
    } catch (ProvisioningException e) {
      throw e;
    } catch (Exception e) {
      throw failure("remove bucket " + bucket, e);
    }
  }

  @Override
  public java.util.List<String> variableNames() {
    return java.util.List.of("STORAGE_BUCKET", "STORAGE_URL", "STORAGE_KEY");
  }

  @Override
  public Map<String, String> variables(ResourceContext resource) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("STORAGE_BUCKET", bucketOf(resource));
    out.put("STORAGE_URL", storageUrl(resource.resourceId()));
    out.put(
        "STORAGE_KEY",
        resource
            .existingSecret(SECRET_KEY)
            .orElseThrow(() -> new IllegalStateException("resource has no storage key"))
            .reveal());
    return out;
  }

  /**
   * The bucket's policy, empty when it has none (MinIO: NoSuchBucketPolicy, S3Proxy: NoSuchPolicy).
   */
  private static String bucketPolicy(MinioClient admin, String bucket) throws Exception {
    try {
      String policy = admin.getBucketPolicy(GetBucketPolicyArgs.builder().bucket(bucket).build());
      return policy == null ? "" : policy;
    } catch (ErrorResponseException e) {
      String code = e.errorResponse().code();
      if ("NoSuchBucketPolicy".equals(code) || "NoSuchPolicy".equals(code)) {
        return "";
      }
      throw e;
    }
  }

  private StorageClients clients(ResourceContext resource) {
    try {
      return backends.get(resource.backend());
    } catch (MiosaException e) {
      throw new ProvisioningException("BACKEND_UNKNOWN", e.getMessage(), true, null);
    }
  }

  private static ProvisioningException failure(String what, Exception e) {
    String detail =
        e instanceof ErrorResponseException r ? " (" + r.errorResponse().code() + ")" : "";
    boolean connection = e instanceof java.io.IOException;
    return new ProvisioningException(
        connection ? "BACKEND_UNAVAILABLE" : "BACKEND_ERROR",
        "could not " + what + " on the object store" + detail,
        true,
        e);
  }
}
