package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

  /** The problem detail member that lists the holders of a refused volume request. */
  public static final String PROPERTY = "holders";

  /**
   * A refusal that names the current holders (member {@code holders} of the problem detail).
   *
   * @param code the machine code
   * @param detail a human message naming holders, never a fencing token of another holder
   * @param holders the holders (may be empty)
   */
  public static MiosaException refusal(ErrorCode code, String detail, List<Holder> holders) {
    return new MiosaException(
        code,
        detail,
        List.of(),
        holders.isEmpty() ? Map.of() : Map.of(PROPERTY, List.copyOf(holders)),
        null,
        null);
  }

  /** The holders a refusal names (empty when none). */
  @SuppressWarnings("unchecked")
  public static List<Holder> of(MiosaException e) {
    Object v = e.properties().get(PROPERTY);
    return v == null ? List.of() : (List<Holder>) v;
  }
}
