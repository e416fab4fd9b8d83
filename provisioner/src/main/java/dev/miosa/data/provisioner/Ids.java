package dev.miosa.data.provisioner;

import java.security.SecureRandom;

/**
 * Makes opaque ids: a short type prefix, an underscore and 20 random characters of {@code [a-z0-9]}
 * (about 103 bits), e.g. {@code prj_3k9x...}. Ids are safe to use in backend names (database names,
 * bucket names) because they never hold user input.
 */
public final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Ids() {}

  /**
   * Returns a new id.
   *
   * @param prefix 2 to 4 lowercase letters naming the kind ({@code prj}, {@code env})
   * @return the id, {@code prefix.length() + 21} characters
   */
  public static String newId(String prefix) {
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return prefix + "_" + new String(out);
  }

  /**
   * Whether a string has the shape of an id this class makes (any prefix), so that untrusted text
   * of another shape (a NUL, a huge string) never reaches a query.
   *
   * @param text untrusted text, may be null
   */
  public static boolean looksLikeId(String text) {
    return text != null && text.matches("[a-z]{2,4}_[a-z0-9]{8,40}");
  }
}
