package dev.miosa.data.auth.realm;

import dev.miosa.data.auth.AuthConfig;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.TokenHashes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One realm as the runtime API sees it: its id, its issuer ({@code AUTH_URL}), its plan and its
 * signing secret. The HMAC key of access tokens is the UTF-8 bytes of {@code AUTH_JWT_SECRET}, as
 * with GoTrue's {@code GOTRUE_JWT_SECRET}, so that a runtime verifies tokens with the variable as
 * is.
 *
 * @param id the realm id (the auth resource's id)
 * @param issuer the realm's {@code AUTH_URL}, the {@code iss} of its tokens
 * @param config the realm's plan
 * @param signingSecret {@code AUTH_JWT_SECRET}
 * @param previousSigningSecret the {@code AUTH_JWT_SECRET} before a credential rotation, whose
 *     tokens still verify until the rotation's grace ends; null outside a grace
 */
public record Realm(
    String id,
    String issuer,
    AuthConfig config,
    Secret signingSecret,
    Secret previousSigningSecret) {

  /** A realm with one signing secret. */
  public Realm(String id, String issuer, AuthConfig config, Secret signingSecret) {
    this(id, issuer, config, signingSecret, null);
  }

  /**
   * The {@code kid} header of tokens signed with a secret: the first 16 hex digits of its SHA-256,
   * so that verification picks the right one of two secrets during a rotation's grace without
   * telling anything usable about the secret.
   *
   * @param secret a signing secret
   * @return the key id
   */
  public static String keyId(Secret secret) {
    return TokenHashes.sha256Hex(secret.reveal()).substring(0, 16);
  }

  /** The HMAC-SHA256 key of the previous signing secret, or null outside a rotation's grace. */
  public byte[] previousSigningKey() {
    return previousSigningSecret == null
        ? null
        : previousSigningSecret.reveal().getBytes(StandardCharsets.UTF_8);
  }

  private static final String SUCCESSOR_LABEL = "miosa-auth/refresh-token-successor/v1";

  /** The HMAC-SHA256 key of access tokens. */
  public byte[] signingKey() {
    return signingSecret.reveal().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The key that derives a refresh token's successor: HMAC-SHA256(signing key, a fixed label), so
   * that it is never the signing key itself.
   */
  public byte[] refreshSuccessorKey() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(signingKey(), "HmacSHA256"));
      return mac.doFinal(SUCCESSOR_LABEL.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "Realm[" + id + "]";
  }
}
