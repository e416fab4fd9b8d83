package dev.miosa.data.auth;

import dev.miosa.data.auth.RealmService.WeakPassword;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.List;

/**
 * A realm's password rules (GoTrue's {@code password.go}): a new password is checked before any
 * write; a sign-in with a password that no longer meets them succeeds with a {@code weak_password}
 * hint.
 */
final class PasswordPolicy {

  private PasswordPolicy() {}

  /**
   * Refuses a new password that is too long to hash or too weak for the realm.
   *
   * @throws MiosaException {@code validation_failed} or {@code weak_password}
   */
  static void check(Realm realm, String password) {
    int length = password.codePointCount(0, password.length());
    if (length > RealmService.MAX_PASSWORD_LENGTH) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST,
          "Password cannot be longer than " + RealmService.MAX_PASSWORD_LENGTH + " characters");
    }
    WeakPassword weak = weakness(realm, password);
    if (weak != null) {
      throw AuthRefusals.weakPassword(weak.message(), weak.reasons());
    }
  }

  /** What is weak about a password under the realm's rules, or null. */
  static WeakPassword weakness(Realm realm, String password) {
    int min = realm.config().passwordMinLength();
    if (password.codePointCount(0, password.length()) < min) {
      return new WeakPassword(
          "Password should be at least " + min + " characters.", List.of("length"));
    }
    return null;
  }
}
