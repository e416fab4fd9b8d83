package dev.miosa.data.api.webhook;

import dev.miosa.data.provisioner.spi.MiosaException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which addresses webhook deliveries may reach. Loopback, private, link-local, unspecified,
 * multicast and other special-purpose addresses (documentation, benchmarking, 6to4 relays, Teredo,
 * reserved) are refused unless their {@link Kind} is allowed; everything else (public unicast) is
 * allowed. The check runs twice: on the URL at registration ({@link #checkUrl}), and on the address
 * each connection is actually opened to ({@link GuardedSocketFactory}), so a name that resolves to
 * a public address at registration and to a private one later (DNS rebinding) is still refused.
 *
 * <p>Hosts written as numbers are read the way browsers and C resolvers read them (WHATWG URL IPv4
 * parsing: {@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1} and {@code 127.1} are all
 * 127.0.0.1), and IPv6 addresses that embed an IPv4 one (mapped, compatible, NAT64, 6to4) are
 * judged by the embedded address, so no spelling of a refused address passes. A numeric host not
 * written as four plain decimal numbers is refused even when its address is allowed: Java's
 * resolver reads such spellings differently ({@code 0177.0.0.1} as 177.0.0.1), so the address
 * checked would not be the one delivered to. IPv6 zone ids and ports outside 1-65535 are refused
 * too (no delivery could use them).
 */
public final class TargetPolicy {

  /** Classes of non-public addresses, each allowed only when a setting names it. */
  public enum Kind {
    /** 127.0.0.0/8, ::1. */
    LOOPBACK,
    /** 10/8, 172.16/12, 192.168/16, 100.64/10 (shared), fc00::/7 (ULA), fec0::/10. */
    PRIVATE,
    /** 169.254/16, fe80::/10. */
    LINK_LOCAL,
    /** 0.0.0.0/8, ::. */
    UNSPECIFIED,
    /** 224/4, ff00::/8. */
    MULTICAST,
    /** Other special-purpose ranges: 240/4, broadcast, documentation, benchmarking, Teredo... */
    RESERVED
  }

  private static final int MAX_URL_LENGTH = 2000;

  /** The one spelling of an IPv4 host that every resolver reads alike. */
  private static final Pattern CANONICAL_IPV4 =
      Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

  /** Hex digits, colons and dots only (an embedded IPv4 address): no zone id, never a name. */
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private final Set<Kind> allowed;

  /**
   * @param allowed the non-public kinds that may be reached (empty: public addresses only)
   */
  public TargetPolicy(Set<Kind> allowed) {
    this.allowed = Set.copyOf(allowed);
  }

  /** The non-public kinds this policy allows. */
  public Set<Kind> allowed() {
    return allowed;
  }

  /**
   * Why an address may not be reached, or empty when it may.
   *
   * @param address a resolved address
   * @return a short reason naming the address and its kind
   */
  public Optional<String> refusal(InetAddress address) {
    Kind kind = classify(address);
    if (kind == null || allowed.contains(kind)) {
      return Optional.empty();
    }
    return Optional.of(
        kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
            + " address "
            + address.getHostAddress()
            + " is not allowed as a webhook target");
  }

  /**
   * Checks a webhook URL at registration: an absolute {@code http} or {@code https} URL with a
   * host, no user information or fragment, no port outside 1-65535, whose host (a literal in any
   * spelling, or a name resolved now) is not a refused address, and whose numeric host, if any, is
   * four plain decimal numbers or a bracketed IPv6 address without a zone id. A name that does not
   * resolve now is accepted: every delivery checks the address it connects to.
   *
   * @param url the URL as given
   * @return the URL, parsed
   * @throws MiosaException {@code INVALID_REQUEST} naming {@code url}
   */
  public URI checkUrl(String url) {
    if (url.length() > MAX_URL_LENGTH) {
      throw MiosaException.invalid("url", "must be at most " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw MiosaException.invalid("url", "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw MiosaException.invalid("url", "must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null
        || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
      throw MiosaException.invalid("url", "must not carry user information");
    }
    if (uri.getRawFragment() != null) {
      throw MiosaException.invalid("url", "must not have a fragment");
    }
    String host = host(uri);
    if (host.isEmpty()) {
      throw MiosaException.invalid("url", "must name a host");
    }
    checkPort(uri.getRawAuthority());
    for (InetAddress a : addressesOf(host)) {
      refusal(a)
          .ifPresent(
              r -> {
                throw MiosaException.invalid("url", r);
              });
    }
    if (!host.startsWith("[")
        && endsInNumber(withoutTrailingDot(host))
        && !CANONICAL_IPV4.matcher(host).matches()) {
      // Browsers read 0177.0.0.1 as 127.0.0.1, Java's resolver as 177.0.0.1: the address checked
      // here would not be the one a delivery connects to.
      throw MiosaException.invalid(
          "url", "must write an IPv4 address as four decimal numbers without leading zeros");
    }
    return uri;
  }

  /** A port, when the authority names one, is a number from 1 to 65535. */
  private static void checkPort(String authority) {
    if (authority == null) {
      return;
    }
    int hostEnd;
    if (authority.startsWith("[")) {
      hostEnd = authority.indexOf(']') + 1;
      if (hostEnd == 0) {
        throw MiosaException.invalid("url", "has an invalid host");
      }
    } else {
      int colon = authority.lastIndexOf(':');
      hostEnd = colon < 0 ? authority.length() : colon;
    }
    String rest = authority.substring(hostEnd);
    if (rest.isEmpty()) {
      return;
    }
    String digits = rest.substring(1);
    if (!rest.startsWith(":")
        || !digits.matches("[0-9]{1,5}")
        || Integer.parseInt(digits) < 1
        || Integer.parseInt(digits) > 65535) {
      throw MiosaException.invalid("url", "must have a port from 1 to 65535");
    }
  }

  private static String withoutTrailingDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }

  /**
   * The host of a URL, also when {@link URI} did not accept it as a server name ({@code 127.1}).
   */
  private static String host(URI uri) {
    if (uri.getHost() != null) {
      return uri.getHost();
    }
    String authority = uri.getRawAuthority();
    if (authority == null) {
      return "";
    }
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(0, end + 1);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 ? authority : authority.substring(0, colon);
  }

  /** The addresses a host stands for: a literal's one, or a name's resolved now (none if not). */
  private static InetAddress[] addressesOf(String host) {
    try {
      if (host.startsWith("[") && host.endsWith("]")) {
        String literal = host.substring(1, host.length() - 1);
        if (!IPV6_LITERAL.matcher(literal).matches()) {
          // a zone id (fe80::1%25eth0) or anything else that is not an address: never resolved
          throw MiosaException.invalid("url", "has an IPv6 host that is not a plain address");
        }
        return new InetAddress[] {literalAddress(literal)};
      }
      String h = withoutTrailingDot(host);
      if (endsInNumber(h)) {
        byte[] v4 = parseIpv4(h);
        if (v4 == null) {
          throw MiosaException.invalid("url", "has a host that is not a valid IPv4 address");
        }
        return new InetAddress[] {InetAddress.getByAddress(v4)};
      }
      if (h.chars().anyMatch(c -> c == '%' || c == ':' || c <= ' ' || c == '\\')) {
        throw MiosaException.invalid("url", "has an invalid host");
      }
      return InetAddress.getAllByName(h);
    } catch (UnknownHostException e) {
      return new InetAddress[0];
    }
  }

  /** An IPv6 literal's address; one that does not parse is an invalid URL, never "no address". */
  private static InetAddress literalAddress(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw MiosaException.invalid("url", "has an IPv6 host that is not a plain address");
    }
  }

  /** WHATWG URL: a host whose last label is a number is an IPv4 address (or invalid). */
  private static boolean endsInNumber(String host) {
    String last = host.substring(host.lastIndexOf('.') + 1);
    if (last.isEmpty()) {
      return false;
    }
    if (last.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return true;
    }
    return parsePart(last) >= 0;
  }

  /** WHATWG IPv4 parsing: 1 to 4 parts, decimal, {@code 0x} hex or {@code 0} octal. */
  static byte[] parseIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length > 4) {
      return null;
    }
    long[] n = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      n[i] = parsePart(parts[i]);
      if (n[i] < 0 || (i < parts.length - 1 && n[i] > 255)) {
        return null;
      }
    }
    long last = n[parts.length - 1];
    if (last >= 1L << (8 * (5 - parts.length))) {
      return null;
    }
    long value = last;
    for (int i = 0; i < parts.length - 1; i++) {
      value += n[i] << (8 * (3 - i));
    }
    return new byte[] {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
  }

  /** One IPv4 part's value, or -1 when it is not a number. */
  private static long parsePart(String part) {
    if (part.isEmpty() || part.length() > 32) {
      return -1;
    }
    int radix = 10;
    String digits = part;
    if (part.length() > 1 && (part.startsWith("0x") || part.startsWith("0X"))) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return 0;
      }
    } else if (part.length() > 1 && part.startsWith("0")) {
      radix = 8;
      digits = part.substring(1);
    }
    try {
      long v = Long.parseLong(digits, radix);
      return v < 0 || v > 0xFFFFFFFFL ? -1 : v;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The non-public kind of an address, or null for a public unicast one. */
  static Kind classify(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return classify4(b);
    }
    return classify6(b);
  }

  private static Kind classify4(byte[] b) {
    int a0 = b[0] & 0xFF;
    int a1 = b[1] & 0xFF;
    int a2 = b[2] & 0xFF;
    if (a0 == 0) {
      return Kind.UNSPECIFIED;
    }
    if (a0 == 127) {
      return Kind.LOOPBACK;
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xF0) == 16) || (a0 == 192 && a1 == 168)) {
      return Kind.PRIVATE;
    }
    if (a0 == 100 && (a1 & 0xC0) == 64) {
      return Kind.PRIVATE;
    }
    if (a0 == 169 && a1 == 254) {
      return Kind.LINK_LOCAL;
    }
    if ((a0 & 0xF0) == 224) {
      return Kind.MULTICAST;
    }
    if ((a0 & 0xF0) == 240
        || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
        || (a0 == 192 && a1 == 88 && a2 == 99)
        || (a0 == 198 && (a1 & 0xFE) == 18)
        || (a0 == 198 && a1 == 51 && a2 == 100)
        || (a0 == 203 && a1 == 0 && a2 == 113)) {
      return Kind.RESERVED;
    }
    return null;
  }

  private static Kind classify6(byte[] b) {
    boolean firstTenZero = true;
    for (int i = 0; i < 10; i++) {
      firstTenZero &= b[i] == 0;
    }
    int w5 = ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
    if (firstTenZero && (w5 == 0xFFFF || w5 == 0)) {
      // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; :: and ::1 among them)
      boolean high = b[12] == 0 && b[13] == 0 && b[14] == 0;
      if (w5 == 0 && high && (b[15] == 0 || b[15] == 1)) {
        return b[15] == 0 ? Kind.UNSPECIFIED : Kind.LOOPBACK;
      }
      Kind embedded = classify4(new byte[] {b[12], b[13], b[14], b[15]});
      return embedded == null ? Kind.RESERVED : embedded;
    }
    int w0 = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
    int w1 = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    if (w0 == 0x0064 && w1 == 0xff9b) {
      // NAT64: 64:ff9b::/96 carries an IPv4 address; 64:ff9b:1::/48 is for local use
      Kind embedded = classify4(new byte[] {b[12], b[13], b[14], b[15]});
      return embedded != null ? embedded : isZero(b, 4, 12) ? null : Kind.RESERVED;
    }
    if (w0 == 0x2002) {
      Kind embedded = classify4(new byte[] {b[2], b[3], b[4], b[5]});
      return embedded == null ? Kind.RESERVED : embedded;
    }
    if ((b[0] & 0xFE) == (byte) 0xFC) {
      return Kind.PRIVATE;
    }
    if ((b[0] & 0xFF) == 0xFE && (b[1] & 0xC0) == 0x80) {
      return Kind.LINK_LOCAL;
    }
    if ((b[0] & 0xFF) == 0xFE && (b[1] & 0xC0) == 0xC0) {
      return Kind.PRIVATE;
    }
    if ((b[0] & 0xFF) == 0xFF) {
      return Kind.MULTICAST;
    }
    if (w0 == 0x2001 && (w1 < 0x0200 || w1 == 0x0db8)) {
      return Kind.RESERVED; // IETF protocol assignments (Teredo among them), documentation
    }
    if (w0 == 0x0100 && isZero(b, 2, 8)) {
      return Kind.RESERVED; // discard-only
    }
    if ((b[0] & 0xE0) != 0x20) {
      return Kind.RESERVED; // outside 2000::/3, the global unicast space
    }
    return null;
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
