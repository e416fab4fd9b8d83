package dev.miosa.data.auth.user;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An email address of a realm user in two forms: {@link #display()} (trimmed, Unicode NFKC, lower
 * case: what GoTrue stores and returns) and {@link #key()} (the canonical form two addresses are
 * compared in: NFKC, then case folding, then NFKC again).
 *
 * <p>Case folding uses {@code toUpperCase(ROOT)} then {@code toLowerCase(ROOT)}: like Unicode full
 * case folding it maps {@code ß} to {@code ss} and {@code ς} to {@code σ}, and it folds a few more
 * letters together (dotless {@code ı} with {@code i}), which only makes look-alike addresses one
 * user. NFKC first turns compatibility forms (full-width {@code ａ}, the Kelvin sign, ligatures)
 * into their plain letters.
 *
 * <p>Validation follows GoTrue's {@code validateEmail} (messages verbatim): required, at most 255
 * bytes, and the shape of checkmail's format check, widened to letters and digits of every script
 * (RFC 6531 addresses).
 *
 * @param display the address as stored and shown
 * @param key the canonical form, unique per realm
 */
public record EmailAddress(String display, String key) {

  /** Most UTF-8 bytes an address may have (GoTrue: 255). */
  public static final int MAX_BYTES = 255;

  private static final String ATEXT = "[\\p{L}\\p{M}\\p{N}.!#$%&'*+/=?^_`{|}~-]+";
  private static final String LABEL =
      "[\\p{L}\\p{N}](?:[\\p{L}\\p{M}\\p{N}-]{0,61}[\\p{L}\\p{M}\\p{N}])?";
  private static final Pattern FORMAT =
      Pattern.compile(ATEXT + "@" + LABEL + "(?:\\." + LABEL + ")*");

  /**
   * Validates and canonicalises an address given at signup or in a user update.
   *
   * @param raw the address as sent (may be null)
   * @return the address
   * @throws MiosaException {@code validation_failed} with GoTrue's message
   */
  public static EmailAddress parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new MiosaException(ErrorCode.INVALID_REQUEST, "An email address is required");
    }
    // Bound the work before normalising: NFKC can only grow a string a few times over.
    if (raw.length() > 4 * MAX_BYTES) {
      throw new MiosaException(ErrorCode.INVALID_REQUEST, "An email address is too long");
    }
    String display = displayForm(raw);
    if (display.isEmpty()) {
      throw new MiosaException(ErrorCode.INVALID_REQUEST, "An email address is required");
    }
    if (display.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new MiosaException(ErrorCode.INVALID_REQUEST, "An email address is too long");
    }
    if (!FORMAT.matcher(display).matches()) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST, "Unable to validate email address: invalid format");
    }
    return new EmailAddress(display, fold(display));
  }

  /**
   * The canonical key of an address given at login, without validating it (GoTrue does not validate
   * there either: an unknown address simply finds no user).
   *
   * @param raw the address as sent
   * @return the key; an over-long address gets a key no valid address has
   */
  public static String keyForLookup(String raw) {
    if (raw.length() > 4 * MAX_BYTES) {
      return "";
    }
    return fold(displayForm(raw));
  }

  private static String displayForm(String raw) {
    return Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
  }

  private static String fold(String s) {
    String folded = s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    return Normalizer.normalize(folded, Normalizer.Form.NFKC);
  }
}
