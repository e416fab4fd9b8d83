package dev.miosa.data.redis;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managed Redis: for each environment an ACL user on a Redis server, confined to its own key and
 * channel prefix (see {@link TenantAcl} for the rules and DESIGN.md beside this file for the
 * invariants).
 *
 * <p>Provisioning is {@code ACL SETUSER} with the full rule set, which is idempotent and repairs
 * whatever drifted; the password is the stored one, so re-running never rotates it. Deprovisioning
 * is {@code ACL DELUSER} (Redis closes the user's connections) followed by {@code SCAN} + {@code
 * UNLINK} of the namespace's keys in batches. Redis keeps ACL users in memory only (unless an ACL
 * file is saved), so {@link RedisAclReconciler} re-applies every ready user when a server comes
 * back from a restart.
 */
public final class RedisProvider implements ServiceProvider, CredentialRotation, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisProvider.class);

  /** Attribute: the ACL user name. */
  public static final String ATTR_USER = "user";

  /** Attribute: the key and channel prefix. */
  public static final String ATTR_KEY_PREFIX = "keyPrefix";

  /** Name of the stored password secret. */
  public static final String SECRET_PASSWORD = "password";

  private final Map<String, RedisServer> servers = new LinkedHashMap<>();
  private final Map<String, RedisAdmin> admins = new LinkedHashMap<>();
  private final Map<String, Set<String>> optionalRulesByBackend = new ConcurrentHashMap<>();
  private final Supplier<Secret> passwordGenerator;

  /**
   * @param servers the Redis servers, at least one, with distinct ids
   * @param passwordGenerator makes new user passwords (at least 32 characters)
   */
  public RedisProvider(List<RedisServer> servers, Supplier<Secret> passwordGenerator) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one Redis server is needed");
    }
    for (RedisServer s : servers) {
      this.servers.put(s.id(), s);
      this.admins.put(s.id(), new RedisAdmin(s));
    }
    this.passwordGenerator = passwordGenerator;
  }

  /** A provider with random 40-character alphanumeric passwords. */
  public RedisProvider(List<RedisServer> servers) {
    this(servers, () -> Passwords.alphanumeric(40));
  }

  @Override
  public String type() {
    return "redis";
  }

  @Override
  public List<String> backends() {
    return List.copyOf(servers.keySet());
  }

  @Override
  public Map<String, Object> validateConfig(Map<String, Object> config) {
    return RedisConfig.from(config).toMap();
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    TenantAcl acl = TenantAcl.forResource(resource.resourceId());
    resource.secret(SECRET_PASSWORD, passwordGenerator);
    boolean existed = apply(resource, acl, validPasswords(resource, true));
    return new ProvisionResult(
        existed ? ProvisionResult.Action.UPDATED : ProvisionResult.Action.CREATED,
        Map.of(ATTR_USER, acl.user(), ATTR_KEY_PREFIX, acl.keyPrefix()));
  }

  /**
   * Applies a ready resource's ACL user again from its stored password and config, as after a Redis
   * restart. Generates nothing: a resource without a stored password is skipped.
   *
   * @param resource a ready resource
   * @return whether the user was applied
   */
  public boolean reapply(ResourceContext resource) {
    if (resource.existingSecret(SECRET_PASSWORD).isEmpty()) {
      log.warn("resource {} has no stored Redis password; not re-applied", resource.resourceId());
      return false;
    }
    apply(resource, TenantAcl.forResource(resource.resourceId()), validPasswords(resource, true));
    return true;
  }

  /**
   * Applies the ACL users of many ready resources of one backend again, in one pipeline (as after a
   * Redis restart). Generates nothing: resources without a stored password are skipped.
   *
   * @param backend the backend id
   * @param resources ready resources placed on it
   * @return the ids of the resources whose user was applied
   * @throws ProvisioningException when the server fails (nothing is known to be applied)
   */
  public List<String> reapplyAll(String backend, List<? extends ResourceContext> resources) {
    RedisAdmin admin = admin(backend);
    try {
      Set<String> optional = optionalRules(backend, admin);
      Map<String, List<String>> users = new java.util.LinkedHashMap<>();
      List<String> applied = new java.util.ArrayList<>();
      List<String> disabled = new java.util.ArrayList<>();
      for (ResourceContext resource : resources) {
        if (resource.existingSecret(SECRET_PASSWORD).isEmpty()) {
          log.warn(
              "resource {} has no stored Redis password; not re-applied", resource.resourceId());
          continue;
        }
        RedisConfig plan = RedisConfig.from(resource.config());
        TenantAcl acl = TenantAcl.forResource(resource.resourceId());
        users.put(acl.user(), acl.rules(validPasswords(resource, true), plan.enabled(), optional));
        applied.add(resource.resourceId());
        if (!plan.enabled()) {
          disabled.add(acl.user());
        }
      }
      admin.aclSetUsers(users);
      for (String user : disabled) {
        admin.killConnectionsOf(user); // "off" refuses new logins only
      }
      return applied;
    } catch (RedisException e) {
      throw failure("apply the ACL users", admin.server(), e);
    }
  }

  /**
   * Makes a second password valid for the user beside the current one (Redis keeps several per
   * user): {@code ACL SETUSER} with both hashes. The new password is stored before it is sent.
   */
  @Override
  public Map<String, String> addNextCredentials(ResourceContext resource) {
    resource.secret(NEXT + SECRET_PASSWORD, passwordGenerator);
    apply(resource, TenantAcl.forResource(resource.resourceId()), validPasswords(resource, true));
    return Map.of();
  }

  /**
   * Removes the previous password ({@code ACL SETUSER} without its hash), then closes every
   * connection of the user with {@code CLIENT KILL USER}: Redis cannot tell which password a
   * connection authenticated with, so the clients on the current password reconnect once (see
   * DESIGN.md).
   */
  @Override
  public void revokePreviousCredentials(ResourceContext resource) {
    TenantAcl acl = TenantAcl.forResource(resource.resourceId());
    apply(resource, acl, validPasswords(resource, false));
    RedisAdmin admin = admin(resource.backend());
    try {
      long closed = admin.killConnectionsOf(acl.user());
      log.info(
          "Redis user {} on {}: previous password removed, {} connection(s) closed",
          acl.user(),
          admin.server().id(),
          closed);
    } catch (RedisException e) {
      throw failure("close the connections of the previous password", admin.server(), e);
    }
  }

  /**
   * The passwords that must be valid: the current one, the next one once stored and, unless it is
   * being revoked, the previous one.
   */
  private static List<String> validPasswords(ResourceContext resource, boolean withPrevious) {
    List<String> out = new java.util.ArrayList<>();
    List<String> names =
        withPrevious
            ? List.of(SECRET_PASSWORD, NEXT + SECRET_PASSWORD, PREVIOUS + SECRET_PASSWORD)
            : List.of(SECRET_PASSWORD, NEXT + SECRET_PASSWORD);
    for (String name : names) {
      resource.existingSecret(name).map(Secret::reveal).ifPresent(out::add);
    }
    return out;
  }

  private boolean apply(ResourceContext resource, TenantAcl acl, List<String> passwords) {
    return apply(resource, acl, passwords, RedisConfig.from(resource.config()).enabled());
  }

  private boolean apply(
      ResourceContext resource, TenantAcl acl, List<String> passwords, boolean enabled) {
    RedisAdmin admin = admin(resource.backend());
    try {
      Set<String> optional = optionalRules(resource.backend(), admin);
      boolean existed = admin.userExists(acl.user());
      admin.aclSetUser(acl.user(), acl.rules(passwords, enabled, optional));
      if (!enabled) {
        // "off" only refuses new logins; open connections must be closed explicitly.
        long closed = admin.killConnectionsOf(acl.user());
        log.info(
            "Redis user {} on {} disabled; {} connection(s) closed",
            acl.user(),
            admin.server().id(),
            closed);
      }
      return existed;
    } catch (RedisException e) {
      throw failure("apply the ACL user", admin.server(), e);
    }
  }

  @Override
  public void deprovision(ResourceContext resource) {
    TenantAcl acl = TenantAcl.forResource(resource.resourceId());
    RedisAdmin admin = admin(resource.backend());
    try {
      // First the user, so that no client writes into the namespace while it is emptied.
      boolean existed = admin.aclDelUser(acl.user());
      long removed = admin.unlinkMatching(acl.keyPattern());
      log.info(
          "Redis namespace {} on {} deleted: user {}, {} key(s) unlinked",
          acl.keyPrefix(),
          admin.server().id(),
          existed ? "deleted" : "already gone",
          removed);
    } catch (RedisException e) {
      throw failure("delete the ACL user and its keys", admin.server(), e);
    }
  }

  /**
   * Soft delete: the ACL user is set {@code off} (same password and rules) and its connections are
   * killed; the keys are kept. A resource never given a password has nothing to disable.
   * Idempotent; {@link #enable} undoes it.
   */
  @Override
  public void disable(ResourceContext resource) {
    if (resource.existingSecret(SECRET_PASSWORD).isEmpty()) {
      return;
    }
    apply(
        resource,
        TenantAcl.forResource(resource.resourceId()),
        validPasswords(resource, true),
        false);
  }

  /**
   * Undoes {@link #disable}: the user is applied again as its config says, with the stored
   * password, so the same credentials work and see the same keys. Idempotent.
   */
  @Override
  public void enable(ResourceContext resource) {
    provision(resource);
  }

  @Override
  public java.util.List<String> variableNames() {
    return RedisUrls.NAMES;
  }

  @Override
  public Map<String, String> variables(ResourceContext resource) {
    RedisServer server = server(resource.backend());
    TenantAcl acl = TenantAcl.forResource(resource.resourceId());
    String password =
        resource
            .existingSecret(SECRET_PASSWORD)
            .orElseThrow(() -> new IllegalStateException("resource has no password"))
            .reveal();
    return RedisUrls.variables(server, acl.user(), password, acl.keyPrefix());
  }

  /**
   * The admin connection of a backend (shared; do not close it).
   *
   * @throws ProvisioningException for an unknown backend id
   */
  public RedisAdmin admin(String backend) {
    RedisAdmin admin = admins.get(backend);
    if (admin == null) {
      throw unknownBackend(backend);
    }
    return admin;
  }

  /**
   * Forgets what was learnt about a server (its version's optional rules), so the next apply asks
   * again; called when the server restarted, possibly as another version.
   */
  public void forgetServerFacts(String backend) {
    optionalRulesByBackend.remove(backend);
  }

  private Set<String> optionalRules(String backend, RedisAdmin admin) {
    Set<String> known = optionalRulesByBackend.get(backend);
    if (known == null) {
      requireSupportedVersion(admin);
      known = Set.copyOf(admin.knownCommands(TenantAcl.OPTIONAL_RULES));
      optionalRulesByBackend.put(backend, known);
    }
    return known;
  }

  private static void requireSupportedVersion(RedisAdmin admin) {
    String version = admin.serverInfo().getOrDefault("redis_version", "0");
    String[] parts = version.split("\\.");
    int major;
    try {
      major = Integer.parseInt(parts[0]);
    } catch (NumberFormatException e) {
      major = 0;
    }
    if (major < 7) {
      throw new ProvisioningException(
          "BACKEND_UNSUPPORTED",
          "Redis server "
              + admin.server().id()
              + " runs "
              + version
              + "; managed Redis needs Redis 7.0 or newer",
          false,
          null);
    }
  }

  private RedisServer server(String backend) {
    RedisServer server = servers.get(backend);
    if (server == null) {
      throw unknownBackend(backend);
    }
    return server;
  }

  private static ProvisioningException unknownBackend(String backend) {
    return new ProvisioningException(
        "UNKNOWN_BACKEND",
        "Redis server " + backend + " is not configured on this replica",
        true,
        null);
  }

  private static ProvisioningException failure(String what, RedisServer server, RedisException e) {
    boolean unreachable =
        e instanceof RedisConnectionException
            || e instanceof RedisCommandTimeoutException
            || (!(e instanceof RedisCommandExecutionException));
    String detail = "";
    if (e instanceof RedisCommandExecutionException && e.getMessage() != null) {
      // The error code only (NOPERM, ERR, ...): the rest may echo arguments.
      detail = " (" + e.getMessage().split(" ", 2)[0] + ")";
    }
    return new ProvisioningException(
        unreachable ? "BACKEND_UNAVAILABLE" : "BACKEND_ERROR",
        "could not "
            + what
            + " on Redis server "
            + server.id()
            + (unreachable ? ": unreachable" : detail),
        true,
        e);
  }

  /** Closes the admin connections. */
  @Override
  public void close() {
    admins.values().forEach(RedisAdmin::close);
  }
}
