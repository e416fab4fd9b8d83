package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.PostgresProvider.ATTR_USER;
import static dev.miosa.data.postgres.PostgresProvider.SECRET_PASSWORD;
import static dev.miosa.data.postgres.PostgresProvider.SECRET_SCRAM;
import static dev.miosa.data.provisioner.spi.CredentialRotation.NEXT;
import static dev.miosa.data.provisioner.spi.CredentialRotation.PREVIOUS;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.pooler.Login;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import dev.miosa.data.postgres.pooler.Scram;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two steps of a Postgres credential rotation on the server and in PgBouncer (the control plane
 * promotes {@code next.*} to current and current to {@code previous.*} between them). See DESIGN.md
 * beside this file.
 */
final class PostgresRotation {

  private static final Logger log = LoggerFactory.getLogger(PostgresRotation.class);

  private final TenantDdl ddl;
  private final PgBouncerRegistry pooler;
  private final Supplier<Secret> passwordGenerator;

  PostgresRotation(TenantDdl ddl, PgBouncerRegistry pooler, Supplier<Secret> passwordGenerator) {
    this.ddl = ddl;
    this.pooler = pooler;
    this.passwordGenerator = passwordGenerator;
  }

  /**
   * Makes the next login role, unless a previous credential is still recorded (refused: {@code
   * CREDENTIALS_IN_GRACE}, not retried): the layout first (an older-layout database is moved to its
   * owner role, as provisioning does), then the role, then PgBouncer's auth file (current and
   * next), then a login with it through PgBouncer.
   *
   * @return {@code next.user}
   */
  Map<String, String> addNext(ResourceContext resource, PostgresServer server) throws SQLException {
    PostgresConfig plan = PostgresConfig.from(resource.config());
    TenantNames names = TenantNames.of(resource.resourceId());
    String current = PostgresProvider.currentLogin(resource);
    Optional<String> previous = previousLogin(resource, names);
    if (previous.isPresent() && !previous.get().equals(current)) {
      // The promotion would overwrite previous.* and leave that login role recorded nowhere.
      throw new ProvisioningException(
          "CREDENTIALS_IN_GRACE",
          "the previous credential is still in its grace period; revoke it before rotating again",
          false,
          null);
    }
    String next = names.nextLogin(current);
    Secret currentVerifier = currentVerifier(resource);
    Secret password = resource.secret(NEXT + SECRET_PASSWORD, passwordGenerator);
    Secret verifier = resource.secret(NEXT + SECRET_SCRAM, () -> Scram.verifier(password));
    try (Connection admin = ddl.admin(server)) {
      ddl.ensure(server, admin, names, current, currentVerifier, plan.connectionLimit());
      TenantRoles.addLogin(admin, names, next, verifier, plan.connectionLimit());
    }
    if (pooler != null) {
      // The current login is recorded too: whichever role the database's entry names after the
      // promotion, both stay in the auth file until the previous one is retired.
      pooler.addLogins(
          resource.resourceId(),
          names.database(),
          List.of(new Login(current, currentVerifier), new Login(next, verifier)));
      pooler.verifyLogin(names.database(), next, password);
    }
    log.info("login role {} added beside {} on {}", next, current, server.id());
    return Map.of(NEXT + ATTR_USER, next);
  }

  /**
   * Revokes the previous login role: out of PgBouncer's auth file first (no new pooled login), then
   * {@code NOLOGIN}, its sessions terminated, dropped. Nothing to revoke is a success; the current
   * login is never touched.
   */
  void revokePrevious(ResourceContext resource, PostgresServer server) throws SQLException {
    TenantNames names = TenantNames.of(resource.resourceId());
    String current = PostgresProvider.currentLogin(resource);
    Optional<String> previous = previousLogin(resource, names);
    if (previous.isEmpty() || previous.get().equals(current)) {
      return;
    }
    String retired = previous.get();
    if (!names.isLogin(retired)) {
      throw new ProvisioningException(
          "BACKEND_ERROR",
          "the previous credential does not name a login role of this database",
          false,
          null);
    }
    if (pooler != null) {
      pooler.retireLogin(
          resource.resourceId(),
          PostgresConfig.from(resource.config())
              .poolerEntry(
                  PostgresProvider.nameFor(resource.resourceId()),
                  server,
                  current,
                  currentVerifier(resource)),
          retired);
    }
    try (Connection admin = ddl.admin(server)) {
      if (TenantRoles.revoke(
          admin, () -> TenantDdl.connect(server, names.database()), names, retired)) {
        log.info("login role {} revoked on {}", retired, server.id());
      }
    }
  }

  /**
   * The previous login role: {@code previous.user}; or, for a resource whose first login was
   * recorded before the {@code user} attribute existed (so the promotion had no {@code user} to
   * move), the first login when a previous password is recorded.
   */
  private static Optional<String> previousLogin(ResourceContext resource, TenantNames names) {
    String recorded = resource.attributes().get(PREVIOUS + ATTR_USER);
    if (recorded != null) {
      return Optional.of(recorded);
    }
    if (resource.existingSecret(PREVIOUS + SECRET_PASSWORD).isPresent()) {
      return Optional.of(names.firstLogin());
    }
    return Optional.empty();
  }

  private static Secret currentVerifier(ResourceContext resource) {
    Secret password =
        resource
            .existingSecret(SECRET_PASSWORD)
            .orElseThrow(
                () ->
                    new ProvisioningException(
                        "BACKEND_ERROR", "the resource has no current password", false, null));
    return resource.secret(SECRET_SCRAM, () -> Scram.verifier(password));
  }
}
