package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.Sql.exec;
import static dev.miosa.data.postgres.Sql.strings;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A few empty databases made ahead of time on each tenant server, so that an attach renames one (a
 * catalog update, well under a millisecond) instead of waiting for {@code CREATE DATABASE}, which
 * copies the template and waits for the disk (about 100 ms on a shared disk, most of an attach).
 * Spares are cloned from {@link TenantTemplates#TEMPLATE}, owned by the admin role, closed to
 * {@code PUBLIC} and connected to once (so the first tenant session finds the database's relation
 * cache file already written). A claim renames one to the tenant's name and gives it to the owner
 * role in the transaction that also runs the {@code CONNECT} isolation, so a tenant database never
 * exists without its owner and isolation. Refills run in the background once claims have paused for
 * {@link SpareRefill#QUIET_NANOS} (at most {@link SpareRefill#MAX_DELAY_NANOS} after the first),
 * one at a time per server across replicas (a session advisory lock). See DESIGN.md beside this
 * file.
 *
 * <p>Spares exist only where the template does (PostgreSQL 14+); with a target of 0 none are made
 * and those left over are dropped.
 */
final class SpareDatabases implements AutoCloseable {

  /** Prefix of a finished spare's name; the rest is 20 random hex digits. */
  static final String SPARE_PREFIX = "miosa_spare_";

  /** Prefix of a spare being made: never claimed; one left by a crash is dropped. */
  static final String MAKING_PREFIX = "miosa_making_";

  /**
   * Marks a finished spare (its comment) and the template it came from: a spare without it (or of
   * another template version) is never claimed and is dropped by the next refill.
   */
  static final String SPARE_MARK = "miosa spare database of " + TenantTemplates.TEMPLATE_MARK;

  /**
   * The exact shapes of the names this code gives (prefix and 20 hex digits), as PostgreSQL regular
   * expressions: no other name is claimed or dropped, so an operator's database with a look-alike
   * name is left alone and never reaches a statement.
   */
  static final String SPARE_NAME = "^miosa_spare_[0-9a-f]{20}$";

  static final String MAKING_NAME = "^miosa_making_[0-9a-f]{20}$";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Called with a new spare's name between its creation and its opening; for tests. */
  volatile Consumer<String> afterCreate = name -> {};

  private final int target;
  private final TenantDdl ddl;
  private final Map<String, SpareRefill> refills = new ConcurrentHashMap<>();
  private final AtomicLong claimed = new AtomicLong();
  private final AtomicLong missed = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param target how many spares to keep per server (0: none; checked by the provider)
   * @param ddl admin connections and the template of each server
   */
  SpareDatabases(int target, TenantDdl ddl) {
    this.target = target;
    this.ddl = ddl;
  }

  /** How many spares are kept per server. */
  int target() {
    return target;
  }

  /**
   * Claims a spare for a tenant in one round trip and one transaction: renames it to {@code
   * names.database()}, gives it to the owner role (which must exist) and runs the {@code CONNECT}
   * isolation of {@link TenantIsolation#isolationBlock}. A spare that another replica claims
   * meanwhile, or that a session is connected to, is passed over (its rename would wait up to 5 s
   * for the session to leave, then fail). Starts a refill either way.
   *
   * @param server the tenant server
   * @param admin an admin connection to it
   * @param names the tenant's names
   * @return true when the tenant's database exists now, owned and isolated; false when no spare was
   *     free (nothing changed: the caller creates the database)
   * @throws SQLException when the server refuses for another reason
   */
  boolean claim(PostgresServer server, Connection admin, TenantNames names) throws SQLException {
    if (target == 0) {
      refillSoon(server); // drops spares left from a larger setting, once
      return false;
    }
    try {
      exec(
          admin,
          """
          DO $miosa$
          DECLARE s text; taken boolean := false; d text;
          BEGIN
            FOR s IN SELECT db.datname FROM pg_database db
                     WHERE db.datname ~ '%s'
                       AND shobj_description(db.oid, 'pg_database') = '%s'
                       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = db.oid)
                     ORDER BY db.oid LOOP
              CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('miosa.spare.' || s));
              BEGIN
                EXECUTE format('ALTER DATABASE %%I RENAME TO %s', s);
                taken := true;
                EXIT;
              EXCEPTION WHEN invalid_catalog_name OR object_in_use THEN
                NULL; -- renamed by another claim that committed, or a session is in it
              END;
            END LOOP;
            IF NOT taken THEN
              RAISE EXCEPTION 'no spare database' USING ERRCODE = 'no_data_found';
            END IF;
            ALTER DATABASE %s OWNER TO %s;
            COMMENT ON DATABASE %s IS NULL;
            %s
          END
          $miosa$
          """
              .formatted(
                  SPARE_NAME,
                  SPARE_MARK,
                  names.database(),
                  names.database(),
                  names.owner(),
                  names.database(),
                  TenantIsolation.isolationBlock(names, List.of())));
      claimed.incrementAndGet();
      return true;
    } catch (SQLException e) {
      String state = e.getSQLState();
      if ("42P04".equals(state) || "23505".equals(state)) {
        // The tenant's database exists already (a concurrent attempt of the same resource made
        // it): nothing changed here, and the caller's path for an existing database goes on.
        return false;
      }
      if (!"P0002".equals(state)) { // no_data_found: none was free
        throw e;
      }
      missed.incrementAndGet();
      return false;
    } finally {
      refillSoon(server);
    }
  }

  /**
   * Starts a refill of the server's spares in the background unless one is running; one running
   * looks again when it ends, so no claim is missed.
   *
   * @param server the tenant server
   */
  void refillSoon(PostgresServer server) {
    if (closed || (target == 0 && refills.containsKey(server.id()))) {
      return;
    }
    refills.computeIfAbsent(server.id(), id -> new SpareRefill(this, server)).request();
  }

  /**
   * Brings the server's spares to the target now, on the caller's thread: drops those left by a
   * crash, of another template version or over the target, then makes the missing ones. Does
   * nothing when another replica (or thread) is refilling the same server.
   *
   * @param server the tenant server
   * @return the number of finished spares on the server afterwards, or -1 when another refill was
   *     running
   * @throws SQLException when the server cannot be reached or refuses
   */
  int refill(PostgresServer server) throws SQLException {
    try (Connection admin = ddl.admin(server)) {
      if (!Sql.exists(admin, "SELECT 1 WHERE pg_try_advisory_lock(hashtext('miosa.spares'))")) {
        return -1;
      }
      try {
        return refillLocked(server, admin);
      } finally {
        exec(admin, "SELECT pg_advisory_unlock(hashtext('miosa.spares'))");
      }
    }
  }

  private int refillLocked(PostgresServer server, Connection admin) throws SQLException {
    // A spare being made is only ever made under this lock: one seen now was left by a crash.
    for (String left :
        strings(admin, "SELECT datname FROM pg_database WHERE datname ~ ?", MAKING_NAME)) {
      drop(admin, left);
    }
    for (String stale :
        strings(
            admin,
            "SELECT datname FROM pg_database WHERE datname ~ ?"
                + " AND shobj_description(oid, 'pg_database') IS DISTINCT FROM ?",
            SPARE_NAME,
            SPARE_MARK)) {
      drop(admin, stale);
    }
    boolean template = target > 0 && TenantTemplates.TEMPLATE.equals(ddl.template(server, admin));
    int want = template ? target : 0;
    boolean templateChecked = false;
    while (!closed) {
      List<String> spares = spares(admin);
      if (spares.size() > want) {
        drop(admin, spares.get(spares.size() - 1));
      } else if (spares.size() < want) {
        if (!make(server, admin)) {
          // The template is not finished: decide (make it) again, once per refill.
          if (templateChecked || !TenantTemplates.TEMPLATE.equals(ddl.template(server, admin))) {
            return spares.size();
          }
          templateChecked = true;
        }
      } else {
        return spares.size();
      }
    }
    return spares(admin).size();
  }

  /** The finished spares on the server, oldest first. */
  static List<String> spares(Connection admin) throws SQLException {
    return strings(
        admin,
        "SELECT datname FROM pg_database WHERE datname ~ ?"
            + " AND shobj_description(oid, 'pg_database') = ? ORDER BY oid",
        SPARE_NAME,
        SPARE_MARK);
  }

  /**
   * Makes one spare: cloned under a name that is never claimed, closed to {@code PUBLIC} (under the
   * isolation's lock, so it never races the sweep), connected to once, then marked and renamed to
   * its spare name in one transaction.
   */
  private boolean make(PostgresServer server, Connection admin) throws SQLException {
    String random = HexFormat.of().formatHex(randomBytes());
    String making = MAKING_PREFIX + random;
    String spare = SPARE_PREFIX + random;
    // The template this process decided on may have been broken or made again since (by an
    // operator, or a replica that found it unfinished): clone only a finished one, the same one
    // before and after the clone (a clone locks its source, so it cannot change in between).
    String template = TenantTemplates.finishedOid(admin);
    if (template == null) {
      ddl.forgetTemplate(server); // deciding again makes it again
      return false;
    }
    // Closed to every session until PUBLIC's CONNECT is revoked (TenantIsolation#open): otherwise
    // any
    // tenant login could enter it meanwhile and leave objects for its future owner.
    exec(
        admin,
        "CREATE DATABASE "
            + making
            + " ENCODING 'UTF8' TEMPLATE "
            + TenantTemplates.TEMPLATE
            + " ALLOW_CONNECTIONS false");
    if (!template.equals(TenantTemplates.finishedOid(admin))) {
      drop(admin, making);
      ddl.forgetTemplate(server);
      return false;
    }
    afterCreate.accept(making);
    TenantIsolation.open(admin, making);
    try (Connection warm = TenantDdl.connect(server, making)) {
      exec(warm, "SELECT 1"); // writes the database's relation cache init file
    }
    exec(
        admin,
        "COMMENT ON DATABASE "
            + making
            + " IS '"
            + SPARE_MARK
            + "'; ALTER DATABASE "
            + making
            + " RENAME TO "
            + spare);
    return true;
  }

  private static void drop(Connection admin, String name) throws SQLException {
    try {
      exec(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      if (!"3D000".equals(e.getSQLState())) { // claimed meanwhile: it is a tenant's now
        throw e;
      }
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[10];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** Spares claimed by this process since it started. */
  long claimedCount() {
    return claimed.get();
  }

  /** Attaches of this process that found no spare and created their database. */
  long missedCount() {
    return missed.get();
  }

  /** Whether {@link #close} was called. */
  boolean isClosed() {
    return closed;
  }

  /** Stops refilling: a refill running ends after the spare it is making. */
  @Override
  public void close() {
    closed = true;
  }
}
