package dev.miosa.data.provisioner.spi;

/**
 * A data service config was refused. The api answers {@code 400} with a problem detail whose {@code
 * errors} list names {@link #field()}.
 */
public class InvalidConfigException extends RuntimeException {

  private final String field;

  /**
   * @param field the JSON path of the bad field, e.g. {@code config.connectionLimit}
   * @param message what is wrong, without secret values
   */
  public InvalidConfigException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The JSON path of the bad field. */
  public String field() {
    return field;
  }
}
