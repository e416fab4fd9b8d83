package dev.miosa.data.storage;

import dev.miosa.data.credentials.TokenHashes;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * The signing API's use cases, free of HTTP: authenticate a {@code STORAGE_KEY} against the
 * resource named by the URL, then sign or finalize for that resource's bucket only. The bucket
 * never comes from the request, so one environment's key cannot sign for another's bucket.
 */
public final class StorageSigning {

  private static final Pattern RESOURCE_ID = Pattern.compile("res_[a-z0-9]{8,40}");

  private final StorageTargets targets;
  private final StorageBackends backends;
  private final ObjectSigner signer;
  private final ContentUploads content;

  /**
   * @param targets resolves resource ids
   * @param backends the object stores
   * @param signer signs URLs
   * @param content checks and places content-addressed uploads
   */
  public StorageSigning(
      StorageTargets targets,
      StorageBackends backends,
      ObjectSigner signer,
      ContentUploads content) {
    this.targets = targets;
    this.backends = backends;
    this.signer = signer;
    this.content = content;
  }

  /**
   * Checks a bearer key against the resource of a storage URL.
   *
   * @param resourceId the resource id from the URL
   * @param key the presented {@code STORAGE_KEY}, or null when none was sent
   * @return the resource's target
   * @throws MiosaException {@code 401} for a missing or wrong key and for an unknown, deleted or
   *     not yet ready resource (one answer for all, so the API does not tell which ids exist)
   */
  public StorageTarget authenticate(String resourceId, String key) {
    if (key == null
        || key.isEmpty()
        || resourceId == null
        || !RESOURCE_ID.matcher(resourceId).matches()) {
      throw unauthorized();
    }
    byte[] presented = TokenHashes.sha256Hex(key).getBytes(StandardCharsets.US_ASCII);
    StorageTarget target = targets.find(resourceId).orElseThrow(StorageSigning::unauthorized);
    // During a rotation's grace the previous key works too; both are compared, in constant time.
    boolean current =
        MessageDigest.isEqual(presented, target.keySha256().getBytes(StandardCharsets.US_ASCII));
    boolean previous =
        target.previousKeySha256() != null
            && MessageDigest.isEqual(
                presented, target.previousKeySha256().getBytes(StandardCharsets.US_ASCII));
    if (!current && !previous) {
      throw unauthorized();
    }
    return target;
  }

  /**
   * Signs one operation on the target's bucket.
   *
   * @param target an authenticated target
   * @param body the request ({@link SignRequest#parse})
   * @return the outcome
   * @throws MiosaException {@code INVALID_REQUEST} for invalid input, {@code BACKEND_UNAVAILABLE}
   *     when the store is needed and fails
   */
  public SignOutcome sign(StorageTarget target, SignUrlRequest body) {
    SignRequest request = SignRequest.parse(body, target.config().maxObjectBytes());
    return signer.sign(
        backends.get(target.backend()), target.bucket(), request, target.config().maxObjectBytes());
  }

  /**
   * Verifies a content-addressed upload and stores it under its hash.
   *
   * @param target an authenticated target
   * @param body the upload to finalize
   * @return what was done
   * @throws MiosaException see {@link ContentUploads#finalizeUpload}
   */
  public ContentUploads.Finalized finalizeUpload(StorageTarget target, FinalizeRequest body) {
    String uploadKey = body.uploadKey();
    if (uploadKey == null) {
      throw MiosaException.invalid(
          "uploadKey", "is required: the uploadKey returned when the upload was signed");
    }
    return content.finalizeUpload(
        backends.get(target.backend()),
        target.bucket(),
        uploadKey,
        target.config().maxObjectBytes());
  }

  private static MiosaException unauthorized() {
    return new MiosaException(
        ErrorCode.UNAUTHORIZED,
        "this storage URL needs its STORAGE_KEY (Authorization: Bearer <STORAGE_KEY>)");
  }
}
