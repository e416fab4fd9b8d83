package dev.miosa.data.volumes;

import java.util.List;

/**
 * A volume request was refused. The message is shown to clients: it names holders (instance ids,
 * operation ids) but never a fencing token of another holder, a path on the volume host or a
 * secret.
 */
public class VolumeException extends RuntimeException {

  private final VolumeError error;
  private final transient List<Holder> holders;

  /**
   * @param error the machine code
   * @param message a human message
   * @param holders the current holders when the error is about one (empty otherwise)
   */
  public VolumeException(VolumeError error, String message, List<Holder> holders) {
    super(message);
    this.error = error;
    this.holders = List.copyOf(holders);
  }

  /** An error that names no holder. */
  public VolumeException(VolumeError error, String message) {
    this(error, message, List.of());
  }

  /** The machine code. */
  public VolumeError error() {
    return error;
  }

  /** The holders a conflict is about (empty otherwise). */
  public List<Holder> holders() {
    return holders;
  }
}
