package dev.miosa.data.storage;

import static dev.miosa.data.provisioner.spi.ConfigValues.longIn;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plan of a storage data service.
 *
 * @param maxObjectBytes the largest object an upload may be signed for, in bytes (1 to 5 GiB, the
 *     S3 limit of a single PUT; default 100 MiB): a signed PUT's declared {@code contentLength}
 *     above it is refused, a POST policy's {@code content-length-range} ends at it, and finalize
 *     deletes a larger content-addressed upload
 */
public record StorageConfig(long maxObjectBytes) {

  /** Default cap: 100 MiB. */
  public static final long DEFAULT_MAX_OBJECT_BYTES = 100L * 1024 * 1024;

  /** Largest cap: 5 GiB, the largest single PUT S3 and MinIO accept. */
  public static final long LIMIT_MAX_OBJECT_BYTES = 5L * 1024 * 1024 * 1024;

  /**
   * Reads and validates a config map.
   *
   * @param config the operator's config (JSON values)
   * @return the plan
   * @throws InvalidConfigException naming the bad field
   */
  public static StorageConfig from(Map<String, Object> config) {
    long max = DEFAULT_MAX_OBJECT_BYTES;
    for (var e : config.entrySet()) {
      switch (e.getKey()) {
        case "maxObjectBytes" ->
            max = longIn(e.getValue(), "config.maxObjectBytes", 1, LIMIT_MAX_OBJECT_BYTES);
        default ->
            throw new InvalidConfigException("config." + e.getKey(), "unknown setting for storage");
      }
    }
    return new StorageConfig(max);
  }

  /** The config as stored, defaults included. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("maxObjectBytes", maxObjectBytes);
    return out;
  }
}
