package dev.miosa.data.auth;

import dev.miosa.data.auth.RealmService.Grant;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.user.EmailAddress;
import dev.miosa.data.auth.user.LoginThrottle;
import dev.miosa.data.auth.user.PasswordHasher;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Instant;
import java.util.Optional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /token?grant_type=password} (GoTrue's {@code token.go}): one Argon2id check whether
 * or not the address is known, failed attempts throttled per realm, address and client.
 */
final class PasswordLogins {

  private final UserStore users;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;
  private final Sessions sessions;
  private final TransactionTemplate tx;

  PasswordLogins(
      UserStore users,
      PasswordHasher hasher,
      LoginThrottle throttle,
      Sessions sessions,
      TransactionTemplate tx) {
    this.users = users;
    this.hasher = hasher;
    this.throttle = throttle;
    this.sessions = sessions;
    this.tx = tx;
  }

  /** See {@link RealmService#passwordGrant}. */
  Grant passwordGrant(Realm realm, String email, String phone, String password, Client client) {
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
    Instant now = sessions.now();
    Grant grant = tx.execute(status -> sessions.start(realm, user, now, client));
    return new Grant(
        grant.access(), grant.refreshToken(), grant.user(), PasswordPolicy.weakness(realm, given));
  }
}
