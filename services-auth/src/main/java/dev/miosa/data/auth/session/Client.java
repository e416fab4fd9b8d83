package dev.miosa.data.auth.session;

/**
 * Who sent a request, as far as the server can tell.
 *
 * @param address the client's IP address ({@code HttpServletRequest.getRemoteAddr()}, which honours
 *     forwarded headers only when the api is configured to trust them)
 * @param userAgent the {@code User-Agent} header, or null
 */
public record Client(String address, String userAgent) {

  /** Truncates an over-long user agent (it is only recorded on the session). */
  public Client {
    if (userAgent != null && userAgent.length() > 512) {
      userAgent = userAgent.substring(0, 512);
    }
  }
}
