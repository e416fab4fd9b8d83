package dev.miosa.data.provisioner.spi;

/**
 * One invalid field of a request.
 *
 * @param field the JSON path or parameter name ({@code slug}, {@code config.connectionLimit})
 * @param message what is wrong, without secret values
 */
public record FieldError(String field, String message) {}
