package dev.miosa.data.api.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A bearer token (RFC 6750) presented in {@code Authorization: Bearer <token>}, not yet checked.
 * {@link #toString()} never shows the token.
 */
final class BearerToken extends AbstractAuthenticationToken {

  private final String token;

  BearerToken(String token) {
    super(List.of());
    this.token = token;
    setAuthenticated(false);
  }

  /** The token text as presented. */
  String token() {
    return token;
  }

  @Override
  public Object getCredentials() {
    return token;
  }

  @Override
  public Object getPrincipal() {
    return "bearer";
  }

  @Override
  public String toString() {
    return "BearerToken[****]";
  }
}
