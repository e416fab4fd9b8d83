package dev.miosa.data.postgres.backup;

import dev.miosa.data.postgres.PgTools;
import dev.miosa.data.process.Cancellation;
import dev.miosa.data.process.ExternalProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves databases to and from archives on the object store with the PostgreSQL tools, streaming
 * through pipes only:
 *
 * <ul>
 *   <li>backup: {@code pg_dump -Fc} → SHA-256 → multipart upload;
 *   <li>restore: download → SHA-256 → {@code pg_restore -f -} (archive to SQL) → {@code psql
 *       --single-transaction}, after a preamble that empties the target database. The transaction
 *       commits only when the whole archive was read, its SHA-256 matched and {@code pg_restore}
 *       succeeded; otherwise {@code psql} is killed before its input ends and the target is left
 *       exactly as it was.
 * </ul>
 *
 * <p>Archives are taken with {@code --no-owner --no-privileges}, so they restore into any
 * environment's database, owned by that database's owner role (the sessions of its login roles run
 * as it).
 */
final class PgArchives {

  /**
   * Empties the target database as its owner, inside the restore's transaction: every schema the
   * role owns, directly or as the database's owner ({@code pg_database_owner}, which owns {@code
   * public} in databases cloned from the tenant template), with all it holds, and its large objects
   * are dropped, and an empty {@code public} schema closed to {@code PUBLIC} is made again, as
   * provisioning leaves it.
   */
  static final String EMPTY_DATABASE =
      """
      DO $miosa$
      DECLARE s record;
      BEGIN
        FOR s IN SELECT n.nspname FROM pg_namespace n
                 WHERE n.nspowner IN (SELECT oid FROM pg_roles
                                      WHERE rolname IN (current_user, 'pg_database_owner'))
                   AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
          EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
        END LOOP;
        PERFORM lo_unlink(l.oid) FROM pg_largeobject_metadata l
          WHERE l.lomowner = (SELECT oid FROM pg_roles WHERE rolname = current_user);
      END
      $miosa$;
      CREATE SCHEMA IF NOT EXISTS public;
      REVOKE ALL ON SCHEMA public FROM PUBLIC;
      """;

  /** The longest a dump or a restore's tools may run before they are killed. */
  static final Duration LONGEST = Duration.ofHours(6);

  private final PgTools tools;
  private final BackupObjectStore store;

  PgArchives(PgTools tools, BackupObjectStore store) {
    this.tools = tools;
    this.store = store;
  }

  /**
   * Dumps a database to {@code key}. A failed dump leaves no object behind.
   *
   * @param source the database, reached directly (never through a transaction pool)
   * @param key the object key
   * @return size and SHA-256 of the archive
   * @throws IOException when pg_dump or the upload fails
   */
  BackupObjectStore.Stored dump(PgTools.Target source, String key) throws IOException {
    try (ExternalProcess dump =
        tools
            .command(
                "pg_dump",
                source,
                List.of(
                    "--format=custom",
                    "--compress=6",
                    "--no-owner",
                    "--no-privileges",
                    "--no-password"))
            .timeout(LONGEST)
            .pipeStdout()
            .start()) {
      BackupObjectStore.Stored stored;
      // A hung pg_dump is killed at its deadline, which ends this stream: the upload never waits
      // longer than the dump may run.
      try (InputStream archive = dump.stdout()) {
        stored = store.upload(key, archive);
      } catch (IOException | RuntimeException e) {
        dump.kill();
        deleteQuietly(key);
        throw e;
      }
      try {
        dump.awaitSuccess();
      } catch (IOException e) {
        deleteQuietly(key);
        throw e;
      }
      return stored;
    }
  }

  /**
   * Replaces the target database's contents with an archive, atomically.
   *
   * @param key the archive's key
   * @param sha256 its expected SHA-256 (hex)
   * @param target the database, reached directly as its owner role
   * @throws IOException when the archive is missing or corrupt, or pg_restore or psql fail; the
   *     target is then unchanged
   */
  void restore(String key, String sha256, PgTools.Target target) throws IOException {
    try (ExternalProcess toSql =
            tools
                .command("pg_restore", target, List.of("--no-owner", "--no-privileges", "--file=-"))
                .timeout(LONGEST)
                .pipeStdin()
                .pipeStdout()
                .start();
        ExternalProcess psql =
            tools
                .command(
                    "psql",
                    target,
                    List.of("-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"))
                .timeout(LONGEST)
                .pipeStdin()
                .mergeStderr()
                .start()) {
      restore(key, sha256, toSql, psql);
    }
  }

  private void restore(String key, String sha256, ExternalProcess toSql, ExternalProcess psql)
      throws IOException {
    AtomicReference<String> actualSha = new AtomicReference<>();
    AtomicReference<Exception> feedError = new AtomicReference<>();
    Thread feeder =
        new Thread(
            () -> {
              MessageDigest digest = BackupObjectStore.sha256();
              try (InputStream in = new DigestInputStream(store.download(key), digest);
                  OutputStream out = toSql.stdin()) {
                in.transferTo(out);
              } catch (Exception e) {
                feedError.set(e);
                return;
              }
              actualSha.set(HexFormat.of().formatHex(digest.digest()));
            },
            "miosa-restore-feed");
    feeder.setDaemon(true);
    feeder.start();
    boolean commit = false;
    try {
      OutputStream sql = psql.stdin();
      try (InputStream script = toSql.stdout()) {
        sql.write(EMPTY_DATABASE.getBytes(StandardCharsets.UTF_8));
        script.transferTo(sql);
        sql.flush();
      } catch (IOException e) {
        // psql stopped reading: an error in the script ended its transaction. Stop the others
        // (pg_restore would block on its full output pipe) and report psql's own words.
        toSql.kill();
        join(feeder);
        int psqlExit = psql.await();
        throw new IOException(
            "psql exited " + psqlExit + " (nothing was restored): " + psql.tail(), e);
      }
      join(feeder);
      int toSqlExit = toSql.await();
      if (feedError.get() != null) {
        throw new IOException(
            "reading the archive failed: " + feedError.get().getMessage(), feedError.get());
      }
      if (!sha256.equalsIgnoreCase(actualSha.get())) {
        throw new IOException(
            "the archive's SHA-256 does not match the one recorded at backup time: not restored");
      }
      if (toSqlExit != 0) {
        throw new IOException("pg_restore exited " + toSqlExit + ": " + toSql.tail());
      }
      commit = true;
      try {
        sql.close(); // end of input: psql commits the single transaction
      } catch (IOException e) {
        // psql already exited; its exit code says why
      }
      int psqlExit = psql.await();
      if (psqlExit != 0) {
        throw new IOException(
            "psql exited " + psqlExit + " (nothing was restored): " + psql.tail());
      }
    } finally {
      if (!commit) {
        psql.kill(); // before its input ended: the transaction rolls back
        toSql.kill();
      }
    }
  }

  private void deleteQuietly(String key) {
    if (Cancellation.current().isCancelled()) {
      return; // the operation's new owner may be writing this key now
    }
    try {
      store.delete(key);
    } catch (IOException ignored) {
      // an orphan object is removed with its bucket's lifecycle or by hand; the row says failed
    }
  }

  private static void join(Thread t) throws IOException {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
