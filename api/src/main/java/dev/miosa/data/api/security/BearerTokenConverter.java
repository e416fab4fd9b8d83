package dev.miosa.data.api.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads {@code Authorization: Bearer <token>} (RFC 6750 section 2.1; the scheme name is
 * case-insensitive). No header gives no authentication (the request goes on unauthenticated and the
 * rules decide); a header with another scheme or an empty token, or more than one {@code
 * Authorization} header, is a bad credential.
 */
public final class BearerTokenConverter implements AuthenticationConverter {

  private static final int MAX_TOKEN_LENGTH = 512;

  @Override
  public BearerToken convert(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null) {
      return null;
    }
    var headers = request.getHeaders("Authorization");
    headers.nextElement();
    if (headers.hasMoreElements()) {
      throw new BadCredentialsException("send one Authorization header, not several");
    }
    String token = tokenOf(header);
    if (token == null) {
      throw new BadCredentialsException(
          "the Authorization header must be 'Bearer <token>' with a token of at most "
              + MAX_TOKEN_LENGTH
              + " characters");
    }
    return new BearerToken(token);
  }

  /**
   * The token of an {@code Authorization} header value.
   *
   * @param header the header value, or null
   * @return the token, or null when the header is absent, of another scheme, or its token is empty
   *     or longer than 512 characters
   */
  public static String tokenOf(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() || token.length() > MAX_TOKEN_LENGTH ? null : token;
  }
}
