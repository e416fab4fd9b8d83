package dev.miosa.data.credentials;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest with AES-256-GCM (NIST SP 800-38D): a fresh 96-bit nonce per value, a
 * 128-bit tag, and an associated-data string (such as the owning row's id and the secret's name)
 * that binds a ciphertext to its place, so a ciphertext copied to another row fails to decrypt.
 *
 * <p>Stored form: {@code v1.} followed by base64url of nonce || ciphertext || tag.
 */
public final class SecretCipher {

  private static final String PREFIX = "v1.";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  /**
   * Creates a cipher from a 256-bit master key.
   *
   * @param masterKey exactly 32 bytes
   * @throws IllegalArgumentException if the key is not 32 bytes long
   */
  public SecretCipher(byte[] masterKey) {
    if (masterKey == null || masterKey.length != 32) {
      throw new IllegalArgumentException("the master key must be 32 bytes (256 bits)");
    }
    this.key = new SecretKeySpec(masterKey.clone(), "AES");
  }

  /**
   * Parses a master key written as base64 (standard or URL alphabet) of 32 bytes.
   *
   * @param text the base64 text, as in {@code MIOSA_MASTER_KEY}
   * @return the cipher
   * @throws IllegalArgumentException if the text is not base64 of exactly 32 bytes; the message
   *     never repeats the text
   */
  public static SecretCipher fromBase64(String text) {
    byte[] bytes;
    try {
      String t = text.trim();
      bytes =
          (t.indexOf('-') >= 0 || t.indexOf('_') >= 0)
              ? Base64.getUrlDecoder().decode(t)
              : Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the master key is not valid base64");
    }
    return new SecretCipher(bytes);
  }

  /** Returns a new random 256-bit key as standard base64, for a generated master key. */
  public static String generateKeyBase64() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Encrypts a secret.
   *
   * @param secret the value to protect
   * @param context associated data that must be given again to decrypt (e.g. {@code
   *     "res_123/password"})
   * @return the stored form
   */
  public String encrypt(Secret secret, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(nonce.length + sealed.length);
      out.put(nonce).put(sealed);
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * Decrypts a stored secret.
   *
   * @param stored the stored form made by {@link #encrypt}
   * @param context the associated data given at encryption
   * @return the secret
   * @throws SecretDecryptionException if the value was tampered with, was made with another key or
   *     belongs to another context
   */
  public Secret decrypt(String stored, String context) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      throw new SecretDecryptionException("unknown secret format");
    }
    try {
      byte[] all = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length()));
      if (all.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new SecretDecryptionException("secret too short");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return Secret.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new SecretDecryptionException("secret cannot be decrypted with this master key");
    }
  }

  /** Thrown when a stored secret cannot be decrypted; the message never holds secret text. */
  public static final class SecretDecryptionException extends RuntimeException {
    SecretDecryptionException(String message) {
      super(message);
    }
  }
}
