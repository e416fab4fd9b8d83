package dev.miosa.data.api.webhook;

import dev.miosa.data.credentials.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing secrets and signatures of the Standard Webhooks specification: a secret is {@code whsec_}
 * followed by the base64 of random bytes, and the key is those bytes; a message is signed as {@code
 * v1,} followed by the base64 of the HMAC-SHA256 of {@code
 * <webhook-id>.<webhook-timestamp>.<body>}.
 */
final class WebhookSignature {

  /** The prefix of a signing secret. */
  static final String SECRET_PREFIX = "whsec_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A new signing secret: {@code whsec_} and the base64 of 32 random bytes. */
  static Secret newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Secret.of(SECRET_PREFIX + Base64.getEncoder().encodeToString(key));
  }

  /**
   * The {@code webhook-signature} header value of one message.
   *
   * @param secret a {@code whsec_} secret
   * @param id the {@code webhook-id}
   * @param timestamp the {@code webhook-timestamp}, seconds since the epoch
   * @param body the exact body bytes sent
   * @return {@code v1,<base64 signature>}
   */
  static String sign(Secret secret, String id, long timestamp, byte[] body) {
    String text = secret.reveal();
    byte[] key =
        Base64.getDecoder()
            .decode(text.startsWith(SECRET_PREFIX) ? text.substring(SECRET_PREFIX.length()) : text);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
