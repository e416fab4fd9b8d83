package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The plan of a volume data service.
 *
 * @param sizeGiB the size of each environment's volume in GiB (1 to 1,024, default 1, or the
 *     snapshot's size with {@code fromSnapshot})
 * @param fromSnapshot a snapshot id whose copy each environment's volume starts from, or null for
 *     an empty filesystem (restoring a snapshot into a new volume)
 */
public record VolumeConfig(int sizeGiB, String fromSnapshot) {

  /** The smallest volume. */
  public static final int MIN_GIB = 1;

  /** The largest volume. */
  public static final int MAX_GIB = 1024;

  /** The size when none is given. */
  public static final int DEFAULT_GIB = 1;

  /**
   * Reads a stored config (validated before, defaults applied).
   *
   * @param config the config
   * @return the plan
   * @throws InvalidConfigException naming the bad field
   */
  public static VolumeConfig from(Map<String, Object> config) {
    Integer size = null;
    String snapshot = null;
    for (var e : config.entrySet()) {
      switch (e.getKey()) {
        case "sizeGiB" -> size = sizeGiB(e.getValue(), "config.sizeGiB");
        case "fromSnapshot" -> snapshot = snapshotId(e.getValue());
        default ->
            throw new InvalidConfigException("config." + e.getKey(), "unknown setting for volume");
      }
    }
    return new VolumeConfig(size == null ? DEFAULT_GIB : size, snapshot);
  }

  /**
   * Validates an operator's config and applies defaults.
   *
   * @param config the config as sent
   * @param snapshotSizeGiB the size in GiB of a ready snapshot by id, empty when there is none
   * @return the plan
   * @throws InvalidConfigException naming the bad field ({@code config.sizeGiB}, {@code
   *     config.fromSnapshot} or an unknown key)
   */
  public static VolumeConfig validate(
      Map<String, Object> config, Function<String, Optional<Integer>> snapshotSizeGiB) {
    VolumeConfig plan = from(config);
    if (plan.fromSnapshot() == null) {
      return plan;
    }
    int snapshotSize =
        snapshotSizeGiB
            .apply(plan.fromSnapshot())
            .orElseThrow(
                () ->
                    new InvalidConfigException(
                        "config.fromSnapshot", "no ready snapshot has this id"));
    if (!config.containsKey("sizeGiB")) {
      return new VolumeConfig(snapshotSize, plan.fromSnapshot());
    }
    if (plan.sizeGiB() < snapshotSize) {
      throw new InvalidConfigException(
          "config.sizeGiB", "must be at least " + snapshotSize + ", the size of the snapshot");
    }
    return plan;
  }

  /**
   * Validates a size in GiB.
   *
   * @param value a JSON value
   * @param field the field to name in the error
   * @return the size
   * @throws InvalidConfigException unless it is an integer from 1 to 1,024
   */
  public static int sizeGiB(Object value, String field) {
    if (!(value instanceof Number n)
        || Double.isNaN(n.doubleValue())
        || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new InvalidConfigException(
          field, "must be a whole number of GiB from " + MIN_GIB + " to " + MAX_GIB);
    }
    double v = n.doubleValue();
    if (v < MIN_GIB || v > MAX_GIB) {
      throw new InvalidConfigException(
          field, "must be from " + MIN_GIB + " to " + MAX_GIB + " GiB");
    }
    return (int) v;
  }

  private static String snapshotId(Object value) {
    if (!(value instanceof String s) || !s.matches("snp_[a-z0-9]{20}")) {
      throw new InvalidConfigException("config.fromSnapshot", "must be a snapshot id (snp_...)");
    }
    return s;
  }

  /** The config as stored, defaults included. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sizeGiB", sizeGiB);
    if (fromSnapshot != null) {
      out.put("fromSnapshot", fromSnapshot);
    }
    return out;
  }
}
