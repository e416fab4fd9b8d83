package dev.miosa.data.api.security;

import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.credentials.TokenHashes;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

/**
 * Authenticates runtime tokens (those with the runtime prefix) through the cached look-up of {@link
 * RuntimeTokenService}: the token must exist, be unexpired, unrevoked and its environment live.
 *
 * @throws BadCredentialsException for a runtime token that is not valid
 */
final class RuntimeTokenAuthenticationProvider implements AuthenticationProvider {

  private final RuntimeTokenService tokens;

  RuntimeTokenAuthenticationProvider(RuntimeTokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String token = ((BearerToken) authentication).token();
    if (!token.startsWith(TokenHashes.RUNTIME_TOKEN_PREFIX)) {
      return null;
    }
    return tokens
        .authenticate(token)
        .map(MiosaAuthentication::runtime)
        .orElseThrow(
            () ->
                new BadCredentialsException(
                    "the runtime token is unknown, expired or revoked, or its environment is"
                        + " deleted"));
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return BearerToken.class.isAssignableFrom(authentication);
  }
}
