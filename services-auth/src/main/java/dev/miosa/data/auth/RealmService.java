package dev.miosa.data.auth;

import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.session.RefreshTokens;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.auth.session.SessionStore.TokenRow;
import dev.miosa.data.auth.token.AccessTokens;
import dev.miosa.data.auth.user.EmailAddress;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.auth.user.LoginThrottle;
import dev.miosa.data.auth.user.PasswordHasher;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The use cases of a realm, with GoTrue's rules and messages (supabase/auth {@code
 * internal/api/signup.go}, {@code token.go}, {@code tokens/service.go}, {@code user.go}, {@code
 * logout.go}, {@code password.go}, {@code mail.go}). Validation happens before any write, so a
 * refused request stores nothing. See DESIGN.md for the invariants.
 */
public final class RealmService {

  private static final Logger log = LoggerFactory.getLogger(RealmService.class);

  /** Most characters (code points) a password may have; Argon2id would take more. */
  public static final int MAX_PASSWORD_LENGTH = 1024;

  /** Longest rotation chain followed when a used token is presented again within the grace. */
  private static final int MAX_CHAIN = 32;

  private final UserStore users;
  private final SessionStore sessions;
  private final PasswordHasher hasher;
  private final AccessTokens tokens;
  private final LoginThrottle throttle;
  private final EmailConfirmation confirmation;
  private final TransactionTemplate tx;
  private final Clock clock;

  /**
   * @param users user rows
   * @param sessions session and refresh token rows
   * @param hasher password hashing
   * @param tokens access token signing and checking
   * @param throttle failed-login counts
   * @param confirmation the email confirmation seam
   * @param tx transactions on the control-plane database
   * @param clock the time source
   */
  public RealmService(
      UserStore users,
      SessionStore sessions,
      PasswordHasher hasher,
      AccessTokens tokens,
      LoginThrottle throttle,
      EmailConfirmation confirmation,
      TransactionTemplate tx,
      Clock clock) {
    this.users = users;
    this.sessions = sessions;
    this.hasher = hasher;
    this.tokens = tokens;
    this.throttle = throttle;
    this.confirmation = confirmation;
    this.tx = tx;
    this.clock = clock;
  }

  /**
   * A signed-in session's tokens.
   *
   * @param access the access token
   * @param refreshToken the refresh token
   * @param user the user
   * @param weakPassword set when the password used no longer meets the realm's rules
   */
  public record Grant(
      AccessTokens.Issued access, String refreshToken, User user, WeakPassword weakPassword) {}

  /**
   * GoTrue's {@code weak_password} hint of a successful sign-in.
   *
   * @param message what is weak
   * @param reasons GoTrue's reason codes
   */
  public record WeakPassword(String message, List<String> reasons) {}

  /**
   * What a signup produced.
   *
   * @param user the user
   * @param grant the session, or null when the address awaits confirmation
   */
  public record Signup(User user, Grant grant) {}

  /**
   * The user and session an access token stands for.
   *
   * @param user the user, as stored now
   * @param sessionId the session
   */
  public record Principal(User user, UUID sessionId) {}

  /**
   * A {@code PUT /user} request; null fields are left alone.
   *
   * @param email a new address
   * @param password a new password
   * @param data keys to set in {@code user_metadata} (a null value removes the key)
   * @param appMetadata {@code app_metadata} changes (refused: admin only)
   * @param phone a new phone number (refused: no phone provider)
   */
  public record UserChanges(
      String email,
      String password,
      Map<String, Object> data,
      Map<String, Object> appMetadata,
      String phone) {}

  /**
   * {@code POST /signup}.
   *
   * @param realm the realm
   * @param email the address
   * @param phone a phone number (refused: no phone provider)
   * @param password the password
   * @param data initial {@code user_metadata}, or null
   * @param client who asks
   * @return the user, with a session when the address counts as confirmed
   */
  public Signup signUp(
      Realm realm,
      String email,
      String phone,
      String password,
      Map<String, Object> data,
      Client client) {
    if (realm.config().disableSignup()) {
      throw new MiosaException(ErrorCode.SIGNUP_DISABLED, "Signups not allowed for this instance");
    }
    if (password == null || password.isEmpty()) {
      throw new MiosaException(ErrorCode.INVALID_REQUEST, "Signup requires a valid password");
    }
    checkPasswordStrength(realm, password);
    boolean hasEmail = email != null && !email.isEmpty();
    boolean hasPhone = phone != null && !phone.isEmpty();
    if (hasEmail && hasPhone) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST,
          "Only an email address or phone number should be provided on signup.");
    }
    if (hasPhone) {
      throw new MiosaException(ErrorCode.PHONE_SIGNUP_DISABLED, "Phone signups are disabled");
    }
    if (!hasEmail) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST, "Sign up only available with email provider");
    }
    EmailAddress address = EmailAddress.parse(email);
    Optional<User> existing = users.findByEmailKey(realm.id(), address.key());
    if (existing.isPresent()) {
      return alreadyRegistered(existing.get(), data);
    }
    String hash = hasher.hash(password); // outside the transaction: it takes a while
    Instant now = now();
    boolean confirmed = confirmation.autoconfirm();
    UUID id = UUID.randomUUID();
    Map<String, Object> metadata = new LinkedHashMap<>(data == null ? Map.of() : data);
    if (confirmed) {
      metadata.put("email_verified", true);
    }
    User user =
        new User(
            id,
            realm.id(),
            address.display(),
            address.key(),
            hash,
            User.AUDIENCE,
            confirmed ? now : null,
            confirmed ? now : null,
            new LinkedHashMap<>(Map.of("provider", "email", "providers", List.of("email"))),
            metadata,
            UUID.randomUUID(),
            now,
            now);
    Signup result =
        tx.execute(
            status -> {
              if (!users.insertIfAbsent(user)) {
                return null; // a concurrent signup of the same address won
              }
              return new Signup(user, confirmed ? startSession(realm, user, now, client) : null);
            });
    if (result == null) {
      return alreadyRegistered(users.findByEmailKey(realm.id(), address.key()).orElseThrow(), data);
    }
    if (!confirmed) {
      confirmation.requestConfirmation(realm.issuer(), user);
    }
    return result;
  }

  private Signup alreadyRegistered(User existing, Map<String, Object> data) {
    if (existing.confirmed() && confirmation.autoconfirm()) {
      throw new MiosaException(ErrorCode.USER_ALREADY_EXISTS, "User already registered");
    }
    // GoTrue without autoconfirm answers a look-alike new user, so that signup does not reveal
    // which addresses are registered.
    Instant now = now();
    User decoy =
        new User(
            UUID.randomUUID(),
            existing.realmId(),
            existing.email(),
            existing.emailKey(),
            null,
            "",
            null,
            null,
            Map.of("provider", "email", "providers", List.of("email")),
            data == null ? Map.of() : data,
            UUID.randomUUID(),
            now,
            now);
    return new Signup(decoy, null);
  }

  /**
   * {@code POST /token?grant_type=password}. An unknown email and a wrong password get the same
   * answer after the same work (a full Argon2id check); repeated failures per realm, email and
   * client address are refused with {@code 429} for a while.
   */
  public Grant passwordGrant(
      Realm realm, String email, String phone, String password, Client client) {
    boolean hasEmail = email != null && !email.isEmpty();
    boolean hasPhone = phone != null && !phone.isEmpty();
    if (hasEmail && hasPhone) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST,
          "Only an email address or phone number should be provided on login.");
    }
    if (hasPhone) {
      throw new MiosaException(ErrorCode.PHONE_PROVIDER_DISABLED, "Phone logins are disabled");
    }
    if (!hasEmail) {
      throw new MiosaException(ErrorCode.INVALID_REQUEST, "missing email or phone");
    }
    String key = EmailAddress.keyForLookup(email);
    String throttleKey = LoginThrottle.key(realm.id(), key, client.address());
    throttle
        .blockedFor(throttleKey)
        .ifPresent(
            seconds -> {
              throw AuthRefusals.rateLimited(seconds);
            });
    Optional<User> found = users.findByEmailKey(realm.id(), key);
    String given = password == null ? "" : password;
    if (!hasher.matches(given, found.map(User::passwordHash).orElse(null))) {
      throttle.recordFailure(throttleKey);
      throw new MiosaException(ErrorCode.INVALID_CREDENTIALS, "Invalid login credentials");
    }
    throttle.reset(throttleKey);
    User user = found.get();
    if (!user.confirmed()) {
      throw new MiosaException(ErrorCode.EMAIL_NOT_CONFIRMED, "Email not confirmed");
    }
    Instant now = now();
    Grant grant = tx.execute(status -> startSession(realm, user, now, client));
    return new Grant(grant.access(), grant.refreshToken(), grant.user(), weakness(realm, given));
  }

  /**
   * {@code POST /token?grant_type=refresh_token}. The token's row is locked, so concurrent uses are
   * serialised. A live token is rotated: it is marked used and its successor becomes the session's
   * one live token. A used token presented again within the realm's grace window answers the
   * session's current token (no new one is minted); after the window, the whole session is revoked.
   */
  public Grant refresh(Realm realm, String refreshToken, Client client) {
    if (refreshToken == null || refreshToken.isEmpty()) {
      throw new MiosaException(ErrorCode.REFRESH_TOKEN_REQUIRED, "refresh_token required");
    }
    Grant grant =
        tx.execute(
            status -> {
              TokenRow row =
                  sessions
                      .lockToken(realm.id(), RefreshTokens.hash(refreshToken))
                      .orElseThrow(
                          () ->
                              new MiosaException(
                                  ErrorCode.REFRESH_TOKEN_NOT_FOUND,
                                  "Invalid Refresh Token: Refresh Token Not Found"));
              Instant now = now();
              String issued;
              if (row.revokedAt() == null) {
                sessions.revokeToken(row.id(), now);
                issued = RefreshTokens.successor(realm.refreshSuccessorKey(), refreshToken);
                sessions.insertToken(
                    realm.id(), row.sessionId(), RefreshTokens.hash(issued), row.id(), now);
              } else {
                Duration grace =
                    Duration.ofSeconds(realm.config().refreshTokenReuseIntervalSeconds());
                issued =
                    now.isAfter(row.revokedAt().plus(grace))
                        ? null
                        : liveSuccessor(realm, row, refreshToken);
                if (issued == null) {
                  sessions.deleteSession(row.sessionId());
                  log.warn(
                      "refresh token reused after its grace window in realm {}: session {} revoked",
                      realm.id(),
                      row.sessionId());
                  return null; // commit the revocation, then refuse
                }
              }
              sessions.touch(row.sessionId(), now, client);
              User user =
                  users
                      .findById(realm.id(), row.userId())
                      .orElseThrow(
                          () ->
                              new MiosaException(
                                  ErrorCode.REFRESH_TOKEN_NOT_FOUND,
                                  "Invalid Refresh Token: Refresh Token Not Found"));
              return new Grant(
                  tokens.issue(realm, user, row.sessionId(), row.sessionCreatedAt()),
                  issued,
                  user,
                  null);
            });
    if (grant == null) {
      throw new MiosaException(
          ErrorCode.REFRESH_TOKEN_ALREADY_USED, "Invalid Refresh Token: Already Used");
    }
    return grant;
  }

  /** Follows the successors of a used token to the session's live one, or null. */
  private String liveSuccessor(Realm realm, TokenRow used, String token) {
    byte[] key = realm.refreshSuccessorKey();
    String candidate = token;
    for (int i = 0; i < MAX_CHAIN; i++) {
      candidate = RefreshTokens.successor(key, candidate);
      Optional<TokenRow> next =
          sessions.findInSession(used.sessionId(), RefreshTokens.hash(candidate));
      if (next.isEmpty()) {
        return null;
      }
      if (next.get().revokedAt() == null) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Checks an access token and loads its user and session ({@code GET/PUT /user}, {@code /logout}).
   *
   * @param realm the realm
   * @param accessToken the bearer token
   * @throws MiosaException {@code bad_jwt}, {@code user_not_found} or {@code session_not_found}
   */
  public Principal authenticate(Realm realm, String accessToken) {
    AccessTokens.Verified v = tokens.verify(realm, accessToken);
    User user =
        users
            .findById(realm.id(), v.userId())
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.USER_NOT_FOUND, "User from sub claim in JWT does not exist"));
    if (sessions
        .findSession(realm.id(), v.sessionId())
        .filter(s -> s.userId().equals(user.id()))
        .isEmpty()) {
      throw new MiosaException(
          ErrorCode.SESSION_NOT_FOUND, "Session from session_id claim in JWT does not exist");
    }
    return new Principal(user, v.sessionId());
  }

  /**
   * {@code PUT /user}: changes the address (at once: addresses are confirmed at signup, see {@link
   * EmailConfirmation}), the password (and then ends the user's other sessions, as GoTrue does) and
   * {@code user_metadata}.
   */
  public User update(Realm realm, Principal principal, UserChanges changes) {
    if (changes.appMetadata() != null) {
      throw new MiosaException(
          ErrorCode.FORBIDDEN, "Updating app_metadata requires admin privileges");
    }
    EmailAddress address =
        changes.email() == null || changes.email().isEmpty()
            ? null
            : EmailAddress.parse(changes.email());
    if (changes.phone() != null && !changes.phone().isEmpty()) {
      throw new MiosaException(ErrorCode.PHONE_PROVIDER_DISABLED, "Phone logins are disabled");
    }
    if (changes.password() != null) {
      checkPasswordStrength(realm, changes.password());
    }
    User user = principal.user();
    String email = user.email();
    String emailKey = user.emailKey();
    if (address != null && !address.display().equals(user.email())) {
      if (!address.key().equals(user.emailKey())) {
        if (!confirmation.autoconfirm()) {
          throw new MiosaException(
              ErrorCode.INVALID_REQUEST,
              "Changing the email address needs a confirmation this realm cannot send");
        }
        if (users.findByEmailKey(realm.id(), address.key()).isPresent()) {
          throw emailExists();
        }
      }
      email = address.display();
      emailKey = address.key();
    }
    String hash = user.passwordHash();
    if (changes.password() != null) {
      if (hasher.matches(changes.password(), user.passwordHash())) {
        throw new MiosaException(
            ErrorCode.SAME_PASSWORD, "New password should be different from the old password.");
      }
      hash = hasher.hash(changes.password());
    }
    Map<String, Object> metadata = new LinkedHashMap<>(user.userMetadata());
    if (changes.data() != null) {
      changes
          .data()
          .forEach(
              (k, v) -> {
                if (v == null) {
                  metadata.remove(k);
                } else {
                  metadata.put(k, v);
                }
              });
    }
    User updated =
        new User(
            user.id(),
            user.realmId(),
            email,
            emailKey,
            hash,
            user.role(),
            user.emailConfirmedAt(),
            user.lastSignInAt(),
            user.appMetadata(),
            metadata,
            user.identityId(),
            user.createdAt(),
            now());
    boolean passwordChanged = changes.password() != null;
    try {
      tx.executeWithoutResult(
          status -> {
            users.update(updated);
            if (passwordChanged) {
              sessions.deleteOtherSessions(user.id(), principal.sessionId());
            }
          });
    } catch (DuplicateKeyException e) {
      throw emailExists();
    }
    return updated;
  }

  /**
   * {@code POST /logout}: {@code global} (the default) ends every session of the user, {@code
   * local} this one, {@code others} all but this one.
   */
  public void logout(Realm realm, Principal principal, String scope) {
    String s = scope == null || scope.isEmpty() ? "global" : scope;
    switch (s) {
      case "global" -> sessions.deleteSessionsOf(principal.user().id());
      case "local" -> sessions.deleteSession(principal.sessionId());
      case "others" -> sessions.deleteOtherSessions(principal.user().id(), principal.sessionId());
      default ->
          throw new MiosaException(
              ErrorCode.INVALID_REQUEST, "Unsupported logout scope \"" + s + "\"");
    }
  }

  /** Whether signups confirm addresses at once ({@code mailer_autoconfirm}). */
  public boolean autoconfirm() {
    return confirmation.autoconfirm();
  }

  private Grant startSession(Realm realm, User user, Instant now, Client client) {
    UUID sessionId = UUID.randomUUID();
    sessions.createSession(realm.id(), sessionId, user.id(), now, client);
    String refresh = RefreshTokens.newToken();
    sessions.insertToken(realm.id(), sessionId, RefreshTokens.hash(refresh), null, now);
    users.touchSignIn(user.id(), now);
    User signedIn =
        new User(
            user.id(),
            user.realmId(),
            user.email(),
            user.emailKey(),
            user.passwordHash(),
            user.role(),
            user.emailConfirmedAt(),
            now,
            user.appMetadata(),
            user.userMetadata(),
            user.identityId(),
            user.createdAt(),
            now);
    return new Grant(tokens.issue(realm, signedIn, sessionId, now), refresh, signedIn, null);
  }

  private static void checkPasswordStrength(Realm realm, String password) {
    int length = password.codePointCount(0, password.length());
    if (length > MAX_PASSWORD_LENGTH) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST,
          "Password cannot be longer than " + MAX_PASSWORD_LENGTH + " characters");
    }
    WeakPassword weak = weakness(realm, password);
    if (weak != null) {
      throw AuthRefusals.weakPassword(weak.message(), weak.reasons());
    }
  }

  private static WeakPassword weakness(Realm realm, String password) {
    int min = realm.config().passwordMinLength();
    if (password.codePointCount(0, password.length()) < min) {
      return new WeakPassword(
          "Password should be at least " + min + " characters.", List.of("length"));
    }
    return null;
  }

  private static MiosaException emailExists() {
    return new MiosaException(
        ErrorCode.EMAIL_EXISTS, "A user with this email address has already been registered");
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
