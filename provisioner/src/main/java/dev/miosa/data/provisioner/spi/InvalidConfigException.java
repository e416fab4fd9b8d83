package dev.miosa.data.provisioner.spi;

import java.util.List;

/**
 * A data service config was refused: an {@link ErrorCode#INVALID_REQUEST} whose {@code errors} name
 * {@link #field()}. The message is the problem alone ({@code must be an integer}).
 */
public class InvalidConfigException extends MiosaException {

  private final String field;
  private final String problem;

  /**
   * @param field the JSON path of the bad field, e.g. {@code config.connectionLimit}
   * @param message what is wrong, without secret values
   */
  public InvalidConfigException(String field, String message) {
    super(
        ErrorCode.INVALID_REQUEST, field + ": " + message, List.of(new FieldError(field, message)));
    this.field = field;
    this.problem = message;
  }

  /** The JSON path of the bad field. */
  public String field() {
    return field;
  }

  /** What is wrong with the field (the detail without the field's name). */
  public String problem() {
    return problem;
  }
}
