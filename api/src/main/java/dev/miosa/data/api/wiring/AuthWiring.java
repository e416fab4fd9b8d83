package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.auth.AuthModule;
import dev.miosa.data.auth.AuthProvider;
import dev.miosa.data.auth.AuthSettings;
import dev.miosa.data.auth.http.RealmController;
import dev.miosa.data.auth.realm.StoredRealmSecrets;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.resource.ResourceStore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Wires auth realms: the {@code auth} service provider and the realm API under {@code
 * /v1/auth/{realmId}} (which the bearer filter leaves to the realm's own token checks). Realms live
 * in the control-plane store, so the embedded default needs no extra server.
 */
@Configuration(proxyBeanMethods = false)
public class AuthWiring {

  private static final Logger log = LoggerFactory.getLogger(AuthWiring.class);

  @Bean
  AuthModule authModule(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      ResourceStore resources,
      SecretCipher cipher,
      AuthProperties props,
      MiosaProperties miosa,
      Environment env) {
    String publicUrl =
        miosa.publicUrl() != null && !miosa.publicUrl().isBlank()
            ? miosa.publicUrl()
            : "http://localhost:" + env.getProperty("server.port", "8080");
    AuthSettings settings =
        new AuthSettings(
            publicUrl,
            props.clockLeeway(),
            props.maxFailedLogins(),
            props.failedLoginWindow(),
            props.argon2MemoryKib(),
            props.argon2Iterations(),
            props.realmCacheTtl());
    if (settings.publicBaseUrl().endsWith(":0")) {
      log.warn(
          "server.port is 0 (a random port) and MIOSA_PUBLIC_URL is unset: AUTH_URL will name port 0; set MIOSA_PUBLIC_URL");
    }
    log.info(
        "auth realms are served at {}/v1/auth/<realm id> (set MIOSA_PUBLIC_URL to change the base)",
        settings.publicBaseUrl());
    return new AuthModule(
        jdbc,
        transactions,
        new StoredRealmSecrets(resources, cipher),
        settings,
        Clock.systemUTC(),
        EmailConfirmation.AUTOCONFIRM);
  }

  @Bean
  AuthProvider authProvider(AuthModule module) {
    return module.provider();
  }

  @Bean
  RealmController realmController(AuthModule module) {
    return module.controller();
  }
}
