package dev.miosa.data.api.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads {@code Authorization: Bearer <token>} (RFC 6750 section 2.1; the scheme name is
 * case-insensitive). No header gives no authentication (the request goes on unauthenticated and the
 * rules decide); a header with another scheme or an empty token is a bad credential.
 */
final class BearerTokenConverter implements AuthenticationConverter {

  private static final int MAX_TOKEN_LENGTH = 512;

  @Override
  public BearerToken convert(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null) {
      return null;
    }
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new BadCredentialsException("the Authorization header must be 'Bearer <token>'");
    }
    String token = header.substring(7).trim();
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw new BadCredentialsException("the bearer token is empty or too long");
    }
    return new BearerToken(token);
  }
}
