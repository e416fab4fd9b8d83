package dev.miosa.data.auth;

import dev.miosa.data.auth.RealmService.Principal;
import dev.miosa.data.auth.RealmService.UserChanges;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.auth.user.EmailAddress;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.auth.user.PasswordHasher;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code PUT /user} (GoTrue's {@code user.go}): address, password and {@code user_metadata} changes
 * of the signed-in user, all validated before the one write.
 */
final class UserUpdates {

  private final UserStore users;
  private final SessionStore store;
  private final PasswordHasher hasher;
  private final EmailConfirmation confirmation;
  private final Sessions sessions;
  private final TransactionTemplate tx;

  UserUpdates(
      UserStore users,
      SessionStore store,
      PasswordHasher hasher,
      EmailConfirmation confirmation,
      Sessions sessions,
      TransactionTemplate tx) {
    this.users = users;
    this.store = store;
    this.hasher = hasher;
    this.confirmation = confirmation;
    this.sessions = sessions;
    this.tx = tx;
  }

  /** See {@link RealmService#update}. */
  User update(Realm realm, Principal principal, UserChanges changes) {
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
      PasswordPolicy.check(realm, changes.password());
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
            mergedMetadata(user.userMetadata(), changes.data()),
            user.identityId(),
            user.createdAt(),
            sessions.now());
    boolean passwordChanged = changes.password() != null;
    try {
      tx.executeWithoutResult(
          status -> {
            users.update(updated);
            if (passwordChanged) {
              store.deleteOtherSessions(user.id(), principal.sessionId());
            }
          });
    } catch (DuplicateKeyException e) {
      throw emailExists();
    }
    return updated;
  }

  /** The metadata with the changes applied: a null value removes its key. */
  private static Map<String, Object> mergedMetadata(
      Map<String, Object> current, Map<String, Object> changes) {
    Map<String, Object> metadata = new LinkedHashMap<>(current);
    if (changes != null) {
      changes.forEach(
          (k, v) -> {
            if (v == null) {
              metadata.remove(k);
            } else {
              metadata.put(k, v);
            }
          });
    }
    return metadata;
  }

  private static MiosaException emailExists() {
    return new MiosaException(
        ErrorCode.EMAIL_EXISTS, "A user with this email address has already been registered");
  }
}
