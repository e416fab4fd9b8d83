package dev.miosa.data.storage;

/**
 * One environment's bucket as the signing API sees it.
 *
 * @param resourceId the resource id (the last segment of {@code STORAGE_URL})
 * @param backend the object store's backend id
 * @param bucket the bucket
 * @param keySha256 lowercase hex SHA-256 of the environment's {@code STORAGE_KEY}
 * @param config the data service's plan
 * @param previousKeySha256 lowercase hex SHA-256 of the previous {@code STORAGE_KEY} while a
 *     rotation's grace lets it work too, or null
 */
public record StorageTarget(
    String resourceId,
    String backend,
    String bucket,
    String keySha256,
    StorageConfig config,
    String previousKeySha256) {

  /** A target with one valid key. */
  public StorageTarget(
      String resourceId, String backend, String bucket, String keySha256, StorageConfig config) {
    this(resourceId, backend, bucket, keySha256, config, null);
  }

  @Override
  public String toString() {
    return "StorageTarget[" + resourceId + " " + backend + "/" + bucket + "]";
  }
}
