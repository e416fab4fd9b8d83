package dev.miosa.data.credentials;

import java.util.Locale;
import java.util.Map;

/**
 * The formats in which the runtime API renders an environment's variables.
 *
 * <p>{@link #DOTENV} and {@link #SHELL} quote every value in POSIX single quotes (a {@code '}
 * inside becomes {@code '\''}), so newlines, double quotes, {@code $}, backticks and backslashes
 * come back byte for byte through {@code set -a; . ./.env} and {@code eval "$(...)"}; see POSIX XCU
 * 2.2.2, Single-Quotes.
 */
public enum EnvFormat {
  /** A JSON object of name to value. */
  JSON("application/json"),
  /** One {@code NAME='value'} line per variable. */
  DOTENV("text/plain"),
  /** One {@code export NAME='value'} line per variable. */
  SHELL("text/x-shellscript");

  private final String mediaType;

  EnvFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  /** Returns the media type of the rendered text (without charset; the text is UTF-8). */
  public String mediaType() {
    return mediaType;
  }

  /**
   * Parses a {@code format} query value.
   *
   * @param text {@code json}, {@code dotenv} or {@code shell}, any case
   * @return the format
   * @throws IllegalArgumentException for any other text
   */
  public static EnvFormat parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("format must be one of json, dotenv, shell");
    }
  }

  /**
   * Renders variables in this format. JSON is rendered by the caller's JSON mapper; this method
   * renders only the text formats.
   *
   * @param variables names (valid shell identifiers) to values, in the order to print
   * @return the text, one line per variable, each ending in a newline
   * @throws IllegalStateException when called on {@link #JSON}
   */
  public String renderText(Map<String, String> variables) {
    if (this == JSON) {
      throw new IllegalStateException("JSON is rendered by the JSON mapper");
    }
    StringBuilder out = new StringBuilder(variables.size() * 64);
    variables.forEach(
        (name, value) -> {
          if (this == SHELL) {
            out.append("export ");
          }
          out.append(name).append('=').append(singleQuote(value)).append('\n');
        });
    return out.toString();
  }

  /** Quotes a value for a POSIX shell: {@code it's} becomes {@code 'it'\''s'}. */
  static String singleQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
