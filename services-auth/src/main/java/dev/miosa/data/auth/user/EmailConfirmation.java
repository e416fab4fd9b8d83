package dev.miosa.data.auth.user;

/**
 * The seam for confirming email addresses. Today no mailer exists, so {@link #AUTOCONFIRM} confirms
 * every address at signup (and the realm's {@code /settings} says {@code mailer_autoconfirm:
 * true}). A mailer-backed implementation would return false from {@link #autoconfirm()} and send a
 * link from {@link #requestConfirmation}; signup then answers the unconfirmed user without a
 * session, as GoTrue does, and login refuses with {@code email_not_confirmed} until the link is
 * followed.
 */
public interface EmailConfirmation {

  /** Whether addresses count as confirmed as soon as they are given. */
  boolean autoconfirm();

  /**
   * Asks the owner of a new, unconfirmed address to confirm it. Called after the user is stored.
   *
   * @param realmUrl the realm's {@code AUTH_URL} (for building links)
   * @param user the user
   */
  void requestConfirmation(String realmUrl, User user);

  /** Confirms every address at once; sends nothing. */
  EmailConfirmation AUTOCONFIRM =
      new EmailConfirmation() {
        @Override
        public boolean autoconfirm() {
          return true;
        }

        @Override
        public void requestConfirmation(String realmUrl, User user) {
          // Never called: every address is confirmed at signup.
        }
      };
}
