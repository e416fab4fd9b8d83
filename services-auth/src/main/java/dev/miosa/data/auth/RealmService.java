package dev.miosa.data.auth;

import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.auth.token.AccessTokens;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.auth.user.LoginThrottle;
import dev.miosa.data.auth.user.PasswordHasher;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The use cases of a realm, with GoTrue's rules and messages (supabase/auth {@code
 * internal/api/signup.go}, {@code token.go}, {@code tokens/service.go}, {@code user.go}, {@code
 * logout.go}, {@code password.go}, {@code mail.go}). Validation happens before any write, so a
 * refused request stores nothing. Each use case lives in its own class ({@link Signups}, {@link
 * PasswordLogins}, {@link RefreshRotation}, {@link UserUpdates}, {@link Sessions}, {@link
 * PasswordPolicy}); this is the one entry point the HTTP edge calls. See DESIGN.md for the
 * invariants.
 */
public final class RealmService {

  /** Most characters (code points) a password may have; Argon2id would take more. */
  public static final int MAX_PASSWORD_LENGTH = 1024;

  private final Signups signups;
  private final PasswordLogins logins;
  private final RefreshRotation refreshes;
  private final UserUpdates updates;
  private final Sessions sessions;
  private final EmailConfirmation confirmation;

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
    this.sessions = new Sessions(users, sessions, tokens, clock);
    this.signups = new Signups(users, hasher, confirmation, this.sessions, tx);
    this.logins = new PasswordLogins(users, hasher, throttle, this.sessions, tx);
    this.refreshes = new RefreshRotation(users, sessions, tokens, this.sessions, tx);
    this.updates = new UserUpdates(users, sessions, hasher, confirmation, this.sessions, tx);
    this.confirmation = confirmation;
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
    return signups.signUp(realm, email, phone, password, data, client);
  }

  /**
   * {@code POST /token?grant_type=password}. An unknown email and a wrong password get the same
   * answer after the same work (a full Argon2id check); repeated failures per realm, email and
   * client address are refused with {@code 429} for a while.
   */
  public Grant passwordGrant(
      Realm realm, String email, String phone, String password, Client client) {
    return logins.passwordGrant(realm, email, phone, password, client);
  }

  /**
   * {@code POST /token?grant_type=refresh_token}. The token's row is locked, so concurrent uses are
   * serialised. A live token is rotated: it is marked used and its successor becomes the session's
   * one live token. A used token presented again within the realm's grace window answers the
   * session's current token (no new one is minted); after the window, the whole session is revoked.
   */
  public Grant refresh(Realm realm, String refreshToken, Client client) {
    return refreshes.refresh(realm, refreshToken, client);
  }

  /**
   * Checks an access token and loads its user and session ({@code GET/PUT /user}, {@code /logout}).
   *
   * @param realm the realm
   * @param accessToken the bearer token
   * @throws MiosaException {@code bad_jwt}, {@code user_not_found} or {@code session_not_found}
   */
  public Principal authenticate(Realm realm, String accessToken) {
    return sessions.authenticate(realm, accessToken);
  }

  /**
   * {@code PUT /user}: changes the address (at once: addresses are confirmed at signup, see {@link
   * EmailConfirmation}), the password (and then ends the user's other sessions, as GoTrue does) and
   * {@code user_metadata}.
   */
  public User update(Realm realm, Principal principal, UserChanges changes) {
    return updates.update(realm, principal, changes);
  }

  /**
   * {@code POST /logout}: {@code global} (the default) ends every session of the user, {@code
   * local} this one, {@code others} all but this one.
   */
  public void logout(Realm realm, Principal principal, String scope) {
    sessions.logout(principal, scope);
  }

  /** Whether signups confirm addresses at once ({@code mailer_autoconfirm}). */
  public boolean autoconfirm() {
    return confirmation.autoconfirm();
  }
}
