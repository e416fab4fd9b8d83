package dev.miosa.data.api.config;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.TokenHashes;
import dev.miosa.data.local.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The operator API's bearer token. Only its SHA-256 is kept in memory. From {@code
 * MIOSA_ADMIN_TOKEN}, or generated on first start and saved to {@code <dataDir>/admin-token} (mode
 * 0600); the log says where, never the token.
 */
@Component
public class AdminToken {

  private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

  private final byte[] hash;

  AdminToken(MiosaProperties props) {
    String token = props.adminToken();
    if (token == null || token.isBlank()) {
      Path file = props.dataDir().resolve("admin-token").toAbsolutePath();
      try {
        if (!Files.exists(file)) {
          LocalProcesses.writePrivate(file, "mat_" + Passwords.randomBase64Url(32).reveal() + "\n");
          log.info(
              "generated an admin token; it is in {} (export MIOSA_ADMIN_TOKEN=$(cat {}))",
              file,
              file);
        } else {
          log.info("admin token: read from {}", file);
        }
        token = Files.readString(file).trim();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read or write " + file, e);
      }
    } else if (token.length() < 16) {
      throw new IllegalStateException("MIOSA_ADMIN_TOKEN must have at least 16 characters");
    }
    this.hash = TokenHashes.sha256Hex(token.trim()).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Checks a presented token in constant time.
   *
   * @param presented the bearer token from the request
   * @return whether it is the admin token
   */
  public boolean matches(String presented) {
    byte[] other = TokenHashes.sha256Hex(presented).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(hash, other);
  }
}
