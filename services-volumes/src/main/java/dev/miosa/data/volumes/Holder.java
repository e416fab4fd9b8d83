package dev.miosa.data.volumes;

import java.time.Instant;

/**
 * Who holds a volume, as told to someone who was refused it.
 *
 * @param kind {@code instance} (a runtime instance) or {@code operation} (a resize or restore)
 * @param id the instance id or operation id
 * @param environment the environment of the volume held
 * @param leaseExpiresAt when the hold lapses unless renewed
 */
public record Holder(String kind, String id, String environment, Instant leaseExpiresAt) {

  /** Holder kind of a runtime instance. */
  public static final String INSTANCE = "instance";

  /** Holder kind of a maintenance operation (resize, restore). */
  public static final String OPERATION = "operation";

  /** {@code instance vm-1} or {@code operation op_... }. */
  public String describe() {
    return kind + " " + id;
  }
}
