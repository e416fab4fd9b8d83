package dev.miosa.data.api.security;

import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.credentials.TokenHashes;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

/**
 * Authenticates runtime tokens (those with the runtime prefix) through the cached look-up of {@link
 * RuntimeTokenService}: the token must exist, be unexpired, unrevoked and its environment live.
 *
 * @throws BadCredentialsException for a runtime token that is not valid
 * @throws AuthenticationServiceException when the store cannot be asked (answered {@code 503})
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
    Optional<RuntimeTokenService.RuntimePrincipal> principal;
    try {
      principal = tokens.authenticate(token);
    } catch (RuntimeException e) {
      if (!storeUnavailable(e)) {
        throw e;
      }
      // Not the token's fault: answered 503 with Retry-After, never 401 (see ProblemResponses).
      throw new AuthenticationServiceException(
          "the control-plane store cannot check the token right now; retry", e);
    }
    return principal
        .map(MiosaAuthentication::runtime)
        .orElseThrow(
            () ->
                new BadCredentialsException(
                    "the runtime token is unknown, expired or revoked, or its environment is"
                        + " deleted"));
  }

  private static boolean storeUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DataAccessException || t instanceof java.sql.SQLException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return BearerToken.class.isAssignableFrom(authentication);
  }
}
