package dev.miosa.data.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and verifies a realm's access tokens: HS256 JWTs (RFC 7519, nimbus-jose-jwt) with GoTrue's
 * claims ({@code iss sub aud exp iat email phone app_metadata user_metadata role aal amr session_id
 * is_anonymous}).
 *
 * <p>Verification pins the algorithm on the server: the key selector accepts HS256 only, so a token
 * whose header says {@code none}, {@code HS512} or {@code RS256} is refused whatever it carries,
 * and only the realm's own secret is tried. The issuer must be the realm's {@code AUTH_URL} (a
 * staging token fails in production twice over: other secret, other issuer), the audience {@code
 * authenticated}, and {@code exp} is checked with the configured leeway.
 */
public final class AccessTokens {

  private static final Set<String> REQUIRED = Set.of("sub", "exp", "iat", "session_id");

  private final Clock clock;
  private final Duration leeway;

  /**
   * @param clock the time source
   * @param leeway clock skew allowed on {@code exp}
   */
  public AccessTokens(Clock clock, Duration leeway) {
    this.clock = clock;
    this.leeway = leeway;
  }

  /**
   * A signed token and its expiry.
   *
   * @param token the compact JWS
   * @param issuedAt {@code iat}
   * @param expiresAt {@code exp}
   */
  public record Issued(String token, Instant issuedAt, Instant expiresAt) {}

  /**
   * What a verified token says.
   *
   * @param userId {@code sub}
   * @param sessionId {@code session_id}
   */
  public record Verified(UUID userId, UUID sessionId) {}

  /**
   * Signs an access token for a user's session.
   *
   * @param realm the realm (issuer, key, lifetime)
   * @param user the user
   * @param sessionId the session
   * @param signedInAt when the session's password sign-in happened ({@code amr} timestamp)
   */
  public Issued issue(Realm realm, User user, UUID sessionId, Instant signedInAt) {
    Instant now = clock.instant();
    Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
    Instant exp = iat.plusSeconds(realm.config().accessTokenTtlSeconds());
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(realm.issuer())
            .subject(user.id().toString())
            .audience(User.AUDIENCE)
            .expirationTime(Date.from(exp))
            .issueTime(Date.from(iat))
            .claim("email", user.email())
            .claim("phone", "")
            .claim("app_metadata", user.appMetadata())
            .claim("user_metadata", user.userMetadata())
            .claim("role", user.role())
            .claim("aal", "aal1")
            .claim(
                "amr",
                List.of(Map.of("method", "password", "timestamp", signedInAt.getEpochSecond())))
            .claim("session_id", sessionId.toString())
            .claim("is_anonymous", false)
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(JOSEObjectType.JWT)
                .keyID(Realm.keyId(realm.signingSecret()))
                .build(),
            claims);
    try {
      jwt.sign(new MACSigner(realm.signingKey()));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign an access token", e);
    }
    return new Issued(jwt.serialize(), iat, exp);
  }

  /**
   * Verifies an access token of a realm.
   *
   * @param realm the realm whose token it must be
   * @param token the bearer token
   * @return its user and session
   * @throws MiosaException {@code bad_jwt} (GoTrue's {@code 403}) when it is not one
   */
  public Verified verify(Realm realm, String token) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableJWKSet<>(keys(realm))));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            User.AUDIENCE, new JWTClaimsSet.Builder().issuer(realm.issuer()).build(), REQUIRED) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew((int) leeway.toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    JWTClaimsSet set;
    try {
      set = processor.process(token, null);
    } catch (ParseException e) {
      throw badJwt("token is malformed");
    } catch (BadJOSEException e) {
      throw badJwt(describe(e));
    } catch (JOSEException e) {
      throw badJwt("token signature is invalid");
    }
    try {
      return new Verified(
          UUID.fromString(set.getSubject()), UUID.fromString(set.getStringClaim("session_id")));
    } catch (IllegalArgumentException | ParseException e) {
      throw badJwt("token has invalid claims: sub and session_id must be UUIDs");
    }
  }

  /**
   * The realm's verification keys, each with its {@code kid}: the current secret and, during a
   * rotation's grace, the previous one. A token with a {@code kid} is checked with the key of that
   * id only; one without (signed before tokens carried one) with each.
   */
  private static JWKSet keys(Realm realm) {
    List<JWK> keys = new java.util.ArrayList<>();
    keys.add(
        new OctetSequenceKey.Builder(realm.signingKey())
            .keyID(Realm.keyId(realm.signingSecret()))
            .algorithm(JWSAlgorithm.HS256)
            .build());
    if (realm.previousSigningSecret() != null) {
      keys.add(
          new OctetSequenceKey.Builder(realm.previousSigningKey())
              .keyID(Realm.keyId(realm.previousSigningSecret()))
              .algorithm(JWSAlgorithm.HS256)
              .build());
    }
    return new JWKSet(keys);
  }

  private static String describe(BadJOSEException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("xpired")) {
      return "token has invalid claims: token is expired";
    }
    if (m.contains("ignature") || m.contains("key")) {
      return "token signature is invalid: signature is invalid";
    }
    if (m.contains("nsecured") || m.contains("plain") || m.contains("JWS algorithm")) {
      return "token is unverifiable: signing method (alg) is unavailable";
    }
    return "token has invalid claims";
  }

  private static MiosaException badJwt(String reason) {
    return new MiosaException(
        ErrorCode.BAD_JWT, "invalid JWT: unable to parse or verify signature, " + reason);
  }
}
