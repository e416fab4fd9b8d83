package dev.miosa.data.api.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a Standard Webhooks signature as a receiver would, written from the specification and
 * independent of the production signer: the key is the base64 after {@code whsec_}; the signed
 * content is {@code id.timestamp.body}; the header holds space-separated {@code v1,<base64>}
 * signatures, any of which may match.
 */
public final class Signatures {

  private Signatures() {}

  /** Whether any {@code v1} signature of the header matches. */
  public static boolean verify(
      String secret, String id, String timestamp, String body, String header) throws Exception {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] expected =
        mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    for (String part : header.split(" ")) {
      int comma = part.indexOf(',');
      if (comma > 0 && part.substring(0, comma).equals("v1")) {
        byte[] given = Base64.getDecoder().decode(part.substring(comma + 1));
        if (MessageDigest.isEqual(expected, given)) {
          return true;
        }
      }
    }
    return false;
  }
}
