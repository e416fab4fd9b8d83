package dev.miosa.data.api.web;

/**
 * One invalid field of a request.
 *
 * @param field the JSON path or parameter name ({@code slug}, {@code config.connectionLimit})
 * @param message what is wrong
 */
public record FieldError(String field, String message) {}
