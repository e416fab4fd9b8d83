package dev.miosa.data.auth;

import dev.miosa.data.auth.http.RealmController;
import dev.miosa.data.auth.realm.RealmDirectory;
import dev.miosa.data.auth.realm.RealmSecrets;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.auth.token.AccessTokens;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.auth.user.LoginThrottle;
import dev.miosa.data.auth.user.PasswordHasher;
import dev.miosa.data.auth.user.UserStore;
import java.time.Clock;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Assembles the auth module from what the application edge provides, so that the api's wiring and
 * the tests build it the same way: the {@link AuthProvider} (SPI), the {@link RealmService} and the
 * {@link RealmController} that serves {@code AUTH_URL}.
 */
public final class AuthModule {

  private final AuthProvider provider;
  private final RealmDirectory realms;
  private final RealmService service;
  private final RealmController controller;

  /**
   * @param jdbc the control-plane database
   * @param transactions its transaction manager
   * @param secrets where realms' signing secrets are kept (resource secrets)
   * @param settings module settings
   * @param clock the time source
   * @param confirmation the email confirmation seam ({@link EmailConfirmation#AUTOCONFIRM})
   */
  public AuthModule(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      RealmSecrets secrets,
      AuthSettings settings,
      Clock clock,
      EmailConfirmation confirmation) {
    JsonMapper json = JsonMapper.builder().build();
    this.realms = new RealmDirectory(jdbc, secrets, settings, json);
    this.provider = new AuthProvider(jdbc, realms, settings, json);
    this.service =
        new RealmService(
            new UserStore(jdbc, json),
            new SessionStore(jdbc),
            new PasswordHasher(settings.argon2MemoryKib(), settings.argon2Iterations()),
            new AccessTokens(clock, settings.clockLeeway()),
            new LoginThrottle(settings.maxFailedLogins(), settings.failedLoginWindow(), clock),
            confirmation,
            new TransactionTemplate(transactions),
            clock);
    this.controller = new RealmController(realms, service, json);
  }

  /** The service provider of type {@code auth}. */
  public AuthProvider provider() {
    return provider;
  }

  /** The realm look-up (cached). */
  public RealmDirectory realms() {
    return realms;
  }

  /** The realm use cases. */
  public RealmService service() {
    return service;
  }

  /** The HTTP controller of {@code /v1/auth/{realmId}}. */
  public RealmController controller() {
    return controller;
  }
}
