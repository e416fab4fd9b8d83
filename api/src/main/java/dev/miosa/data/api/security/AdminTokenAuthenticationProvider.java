package dev.miosa.data.api.security;

import dev.miosa.data.api.config.AdminToken;
import dev.miosa.data.credentials.TokenHashes;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;

/**
 * Authenticates the operator's admin token ({@code MIOSA_ADMIN_TOKEN}) by a constant-time compare
 * of SHA-256 hashes. A runtime token (by its prefix) is left to {@link
 * RuntimeTokenAuthenticationProvider}; any other token that does not match is left unanswered, so
 * that the manager ends with a bad credential.
 */
final class AdminTokenAuthenticationProvider implements AuthenticationProvider {

  private final AdminToken adminToken;

  AdminTokenAuthenticationProvider(AdminToken adminToken) {
    this.adminToken = adminToken;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String token = ((BearerToken) authentication).token();
    if (token.startsWith(TokenHashes.RUNTIME_TOKEN_PREFIX) || !adminToken.matches(token)) {
      return null;
    }
    return MiosaAuthentication.operator();
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return BearerToken.class.isAssignableFrom(authentication);
  }
}
