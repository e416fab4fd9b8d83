package dev.miosa.data.postgres.backup;

import dev.miosa.data.postgres.PgTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * environment's database, owned by that environment's role.
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
    Process dump =
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
            .start();
    dump.getOutputStream().close();
    Tail errors = Tail.drain(dump.getErrorStream(), "pg_dump stderr");
    BackupObjectStore.Stored stored;
    try (InputStream archive = dump.getInputStream()) {
      stored = store.upload(key, archive);
    } catch (IOException | RuntimeException e) {
      dump.destroyForcibly();
      deleteQuietly(key);
      throw e;
    }
    int exit = await(dump);
    if (exit != 0) {
      deleteQuietly(key);
      throw new IOException("pg_dump exited " + exit + ": " + errors.text(source));
    }
    return stored;
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
    Process toSql =
        tools
            .command("pg_restore", target, List.of("--no-owner", "--no-privileges", "--file=-"))
            .start();
    Tail toSqlErrors = Tail.drain(toSql.getErrorStream(), "pg_restore stderr");
    Process psql =
        tools
            .command(
                "psql",
                target,
                List.of("-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"))
            .redirectErrorStream(true)
            .start();
    Tail psqlOutput = Tail.drain(psql.getInputStream(), "psql output");
    AtomicReference<String> actualSha = new AtomicReference<>();
    AtomicReference<Exception> feedError = new AtomicReference<>();
    Thread feeder =
        new Thread(
            () -> {
              MessageDigest digest = BackupObjectStore.sha256();
              try (InputStream in = new DigestInputStream(store.download(key), digest);
                  OutputStream out = toSql.getOutputStream()) {
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
      OutputStream sql = psql.getOutputStream();
      try (InputStream script = toSql.getInputStream()) {
        sql.write(EMPTY_DATABASE.getBytes(StandardCharsets.UTF_8));
        script.transferTo(sql);
        sql.flush();
      } catch (IOException e) {
        // psql stopped reading: an error in the script ended its transaction. Stop the others
        // (pg_restore would block on its full output pipe) and report psql's own words.
        toSql.destroyForcibly();
        join(feeder);
        int psqlExit = await(psql);
        throw new IOException(
            "psql exited " + psqlExit + " (nothing was restored): " + psqlOutput.text(target), e);
      }
      join(feeder);
      int toSqlExit = await(toSql);
      if (feedError.get() != null) {
        throw new IOException(
            "reading the archive failed: " + feedError.get().getMessage(), feedError.get());
      }
      if (!sha256.equalsIgnoreCase(actualSha.get())) {
        throw new IOException(
            "the archive's SHA-256 does not match the one recorded at backup time: not restored");
      }
      if (toSqlExit != 0) {
        throw new IOException("pg_restore exited " + toSqlExit + ": " + toSqlErrors.text(target));
      }
      commit = true;
      try {
        sql.close(); // end of input: psql commits the single transaction
      } catch (IOException e) {
        // psql already exited; its exit code says why
      }
      int psqlExit = await(psql);
      if (psqlExit != 0) {
        throw new IOException(
            "psql exited " + psqlExit + " (nothing was restored): " + psqlOutput.text(target));
      }
    } finally {
      if (!commit) {
        psql.destroyForcibly(); // before its input ended: the transaction rolls back
        toSql.destroyForcibly();
      }
    }
  }

  private void deleteQuietly(String key) {
    try {
      store.delete(key);
    } catch (IOException ignored) {
      // an orphan object is removed with its bucket's lifecycle or by hand; the row says failed
    }
  }

  private static int await(Process p) throws IOException {
    try {
      if (!p.waitFor(6, TimeUnit.HOURS)) {
        p.destroyForcibly();
        throw new IOException(p.info().command().orElse("process") + " did not finish");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
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

  /** The last few KB a process wrote to a stream, read on a daemon thread so it never blocks. */
  static final class Tail {
    private static final int MAX = 4096;
    private final StringBuilder text = new StringBuilder();
    private final Thread reader;

    private Tail(InputStream in, String name) {
      reader =
          new Thread(
              () -> {
                byte[] buf = new byte[8192];
                try (in) {
                  int n;
                  while ((n = in.read(buf)) > 0) {
                    synchronized (text) {
                      text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                      if (text.length() > MAX) {
                        text.delete(0, text.length() - MAX);
                      }
                    }
                  }
                } catch (IOException ignored) {
                  // the process ended
                }
              },
              "miosa-" + name.replace(' ', '-'));
      reader.setDaemon(true);
      reader.start();
    }

    static Tail drain(InputStream in, String name) {
      return new Tail(in, name);
    }

    /** The text, with the target's password masked, at most 500 characters from its end. */
    String text(PgTools.Target target) {
      try {
        reader.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String t;
      synchronized (text) {
        t = text.toString().strip();
      }
      t = t.replace(target.password().reveal(), "***");
      return t.length() > 500 ? t.substring(t.length() - 500) : t;
    }
  }
}
