package dev.miosa.data.auth;

import dev.miosa.data.auth.RealmService.Signup;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.user.EmailAddress;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.auth.user.PasswordHasher;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /signup} (GoTrue's {@code signup.go}): email and password only; the user and, when
 * the address counts as confirmed, its first session are written in one transaction.
 */
final class Signups {

  private final UserStore users;
  private final PasswordHasher hasher;
  private final EmailConfirmation confirmation;
  private final Sessions sessions;
  private final TransactionTemplate tx;

  Signups(
      UserStore users,
      PasswordHasher hasher,
      EmailConfirmation confirmation,
      Sessions sessions,
      TransactionTemplate tx) {
    this.users = users;
    this.hasher = hasher;
    this.confirmation = confirmation;
    this.sessions = sessions;
    this.tx = tx;
  }

  /** See {@link RealmService#signUp}. */
  Signup signUp(
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
    PasswordPolicy.check(realm, password);
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
    Instant now = sessions.now();
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
              return new Signup(user, confirmed ? sessions.start(realm, user, now, client) : null);
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
    Instant now = sessions.now();
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
}
