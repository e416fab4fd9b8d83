package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.postgres.PgTools;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers tenant databases with a PgBouncer: records each registration in the control-plane
 * store, rewrites PgBouncer's generated {@code databases.ini} and {@code users.txt} whole from
 * those records (under a lock shared by all replicas), then {@code RELOAD}s it on the admin
 * console.
 *
 * <p>Invariants (see DESIGN.md): the files always hold exactly the recorded entries plus the admin
 * user; entries never pin a server user; a database is removed from PgBouncer before it is dropped;
 * {@link #sync()} at start rebuilds the files from the records alone.
 *
 * <p>Rewrites are coalesced: every change is numbered after its row is committed, and each rewrite
 * notes the last number before it reads the rows (under the lock). A caller returns as soon as a
 * rewrite that read after its change has finished, whether it ran that rewrite or another caller
 * did. So changes arriving together share one render and one {@code RELOAD}, and N concurrent
 * changes cost at most two rewrites, not N.
 */
public final class PgBouncerRegistry {

  private static final Logger log = LoggerFactory.getLogger(PgBouncerRegistry.class);

  /** {@code max_db_client_connections} appeared in PgBouncer 1.24. */
  private static final int CLIENT_LIMITS_SINCE = 124;

  private final PgBouncer settings;
  private final PoolerEntryStore store;
  private final PgBouncerAdmin admin;
  private final Secret adminVerifier;
  private final Object gate = new Object();
  private final AtomicLong changes = new AtomicLong(); // numbered after their row committed
  private final AtomicInteger recording = new AtomicInteger(); // changes being committed now
  private long covered; // guarded by gate: changes up to this number have an outcome
  private boolean writing; // guarded by gate
  private Outcome lastOutcome; // guarded by gate: of the rewrite that set `covered`
  private long readMark; // written by the rewriting thread only, published through gate
  private volatile int knownVersion; // PgBouncer's version once read; 0 = read it again

  private record Outcome(int entries, ProvisioningException error) {}

  /**
   * @param settings where PgBouncer is
   * @param controlPlane the control-plane store (holds {@code pgbouncer_entries})
   * @param cipher encrypts verifiers at rest
   * @param tools the PostgreSQL client tools ({@code psql} speaks to the admin console)
   */
  public PgBouncerRegistry(
      PgBouncer settings, DataSource controlPlane, SecretCipher cipher, PgTools tools) {
    this.settings = settings;
    this.store = new PoolerEntryStore(controlPlane, cipher);
    this.admin = new PgBouncerAdmin(tools, settings);
    this.adminVerifier = Scram.verifier(settings.adminPassword());
  }

  /** The settings. */
  public PgBouncer settings() {
    return settings;
  }

  /**
   * Records a database (or updates its record) and makes PgBouncer serve it.
   *
   * @param resourceId the resource it belongs to
   * @param entry the database
   * @throws ProvisioningException {@code POOLER_UNAVAILABLE} (retryable) when the files cannot be
   *     written or PgBouncer does not reload
   */
  public void register(String resourceId, PoolerEntry entry) {
    rewriteAndReload(recorded(() -> store.upsert(resourceId, entry)));
  }

  /**
   * Adds further login roles of a registered database to PgBouncer's auth file (or gives them new
   * verifiers), beside the role its entry names: a rotation's next credential, and the current one
   * so that it stays there whatever the entry names later.
   *
   * @param resourceId the resource they belong to
   * @param database the database name
   * @param logins the login roles with their verifiers
   * @throws ProvisioningException {@code POOLER_UNAVAILABLE} (retryable)
   */
  public void addLogins(String resourceId, String database, List<Login> logins) {
    rewriteAndReload(recorded(() -> store.upsertLogins(resourceId, database, logins)));
  }

  /**
   * Removes a login role from PgBouncer's auth file: new logins through PgBouncer with it are
   * refused from the reload on. The database's entry is recorded with the login that stays, so the
   * retired role is not kept by the entry either. Sessions already open are the server's to end
   * (PgBouncer 1.18 cannot close one user's clients; a pooled server connection whose backend the
   * server terminated is dropped, and a new one for the retired role is refused at login).
   *
   * @param resourceId the resource
   * @param staying the database's entry with the login role that stays
   * @param retired the login role to remove
   * @throws ProvisioningException {@code POOLER_UNAVAILABLE} (retryable)
   */
  public void retireLogin(String resourceId, PoolerEntry staying, String retired) {
    if (staying.role().equals(retired)) {
      throw new IllegalArgumentException("the login role that stays cannot be retired");
    }
    rewriteAndReload(recorded(() -> store.retireLogin(resourceId, staying, retired)));
    log.info("login role {} of database {} removed from PgBouncer", retired, staying.database());
  }

  /**
   * Removes a database from PgBouncer (its entry and every login role of it), closing its client
   * and server connections there. Removing one that is not registered is a no-op.
   *
   * @param database the database name
   * @throws ProvisioningException {@code POOLER_UNAVAILABLE} (retryable)
   */
  public void unregister(String database) {
    rewriteAndReload(recorded(() -> store.delete(database)));
    try {
      if (admin.databases().contains(database)) {
        admin.kill(database);
      }
    } catch (IOException e) {
      throw unavailable("close the connections of a removed database", e);
    }
    log.info("database {} removed from PgBouncer", database);
  }

  /**
   * Rewrites the files from the records and reloads PgBouncer: run at start, so that a PgBouncer
   * restarted (or whose files were lost) serves every registered database again.
   *
   * @return how many databases are registered
   */
  public int sync() {
    knownVersion = 0; // at start (or on demand) the version is read afresh
    int n = rewriteAndReload(changes.incrementAndGet());
    log.info("PgBouncer {} serves {} tenant databases", settings, n);
    return n;
  }

  /** The names of the databases recorded as registered. */
  public java.util.Set<String> registeredDatabases() {
    return store.databases();
  }

  /**
   * Logs in through PgBouncer as the tenant and runs {@code SELECT 1}: the proof that a database is
   * reachable the way tenants will reach it.
   *
   * @param database the database
   * @param user the tenant role
   * @param password its password
   * @throws ProvisioningException {@code POOLER_LOGIN_FAILED} (retryable)
   */
  public void verifyLogin(String database, String user, Secret password) {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password.reveal());
    props.setProperty("sslmode", settings.sslmode());
    props.setProperty("prepareThreshold", "0");
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "30");
    props.setProperty("ApplicationName", "miosa-provisioner");
    String host =
        settings.adminHost().contains(":")
            ? "[" + settings.adminHost() + "]"
            : settings.adminHost();
    String url = "jdbc:postgresql://" + host + ":" + settings.adminPort() + "/" + database;
    try (Connection c = DriverManager.getConnection(url, props);
        Statement st = c.createStatement()) {
      st.executeQuery("SELECT 1").close();
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
      throw new ProvisioningException(
          "POOLER_LOGIN_FAILED",
          "a login through PgBouncer to the database failed" + state,
          true,
          e);
    }
  }

  /**
   * How long a rewrite about to start waits at most for changes whose rows are being committed at
   * that moment (the other environments of one attach, provisioned at the same time), so that they
   * share its render and {@code RELOAD} instead of waiting for the next one: a group commit, as
   * PostgreSQL's {@code commit_delay}. A commit on the control-plane store takes a few
   * milliseconds; a rewrite and reload take tens.
   */
  static final long GROUP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(15);

  /** Commits a change's rows and numbers it; while it commits, a starting rewrite waits for it. */
  private long recorded(Runnable write) {
    recording.incrementAndGet();
    try {
      write.run();
      return changes.incrementAndGet();
    } finally {
      recording.decrementAndGet();
    }
  }

  /**
   * Rewrites and reloads, sharing the work with concurrent callers: returns once a rewrite that
   * read the rows after change {@code mark} was committed has finished, with that rewrite's
   * outcome.
   */
  private int rewriteAndReload(long mark) {
    synchronized (gate) {
      while (true) {
        if (covered >= mark) {
          return outcome(lastOutcome);
        }
        if (!writing) {
          writing = true;
          break;
        }
        try {
          gate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ProvisioningException(
              "POOLER_UNAVAILABLE", "interrupted while PgBouncer was reconfigured", true, e);
        }
      }
    }
    // Group commit: changes being committed right now are read by this rewrite, not the next.
    long groupDeadline = System.nanoTime() + GROUP_WAIT_NANOS;
    while (recording.get() > 0 && System.nanoTime() < groupDeadline) {
      LockSupport.parkNanos(200_000);
    }
    Outcome result;
    readMark = -1;
    try {
      result = new Outcome(writeAndReloadNow(), null);
    } catch (ProvisioningException e) {
      result = new Outcome(0, e);
    } catch (RuntimeException e) {
      result =
          new Outcome(
              0,
              new ProvisioningException(
                  "POOLER_UNAVAILABLE", "could not reconfigure PgBouncer", true, e));
    }
    synchronized (gate) {
      writing = false;
      // A rewrite that failed before reading the rows fails everyone waiting so far (retryable).
      long upTo = readMark >= 0 ? readMark : Math.max(mark, changes.get());
      covered = Math.max(covered, upTo);
      lastOutcome = result;
      gate.notifyAll();
    }
    return outcome(result);
  }

  private static int outcome(Outcome o) {
    if (o.error() != null) {
      ProvisioningException e = o.error();
      // A fresh exception per caller (each gets its own stack); the cause is the shared one.
      throw new ProvisioningException(e.code(), e.getMessage(), e.retryable(), e);
    }
    return o.entries();
  }

  private int writeAndReloadNow() {
    return store.withAllLocked(
        () -> readMark = changes.get(),
        (entries, logins) -> {
          int version = knownVersion;
          if (version == 0) {
            try {
              version = admin.version();
            } catch (IOException e) {
              // Still write the files, so that PgBouncer serves everything when it comes back.
              write(entries, logins, false);
              throw unavailable("reach PgBouncer's admin console", e);
            }
            knownVersion = version;
          }
          write(entries, logins, version >= CLIENT_LIMITS_SINCE);
          try {
            admin.reload();
          } catch (IOException e) {
            knownVersion = 0; // PgBouncer may have been replaced: ask again next time
            throw unavailable("reload PgBouncer", e);
          }
          return entries.size();
        });
  }

  private void write(List<PoolerEntry> entries, List<Login> logins, boolean clientLimits) {
    try {
      Files.createDirectories(settings.configDir());
      // The auth file first: a database entry never appears before its role can log in.
      var files = new java.util.LinkedHashMap<java.nio.file.Path, String>();
      files.put(
          settings.configDir().resolve(PgBouncer.USERS_FILE),
          PgBouncerFiles.users(settings.adminUser(), adminVerifier, entries, logins));
      files.put(
          settings.configDir().resolve(PgBouncer.DATABASES_FILE),
          PgBouncerFiles.databases(entries, clientLimits));
      PgBouncerFiles.writeAtomically(files);
    } catch (IOException e) {
      throw new ProvisioningException(
          "POOLER_UNAVAILABLE",
          "could not write PgBouncer's configuration files",
          true,
          new UncheckedIOException(e));
    }
  }

  private static ProvisioningException unavailable(String what, IOException e) {
    return new ProvisioningException("POOLER_UNAVAILABLE", "could not " + what, true, e);
  }
}
