package dev.miosa.data.postgres;

import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Small JDBC helpers of the tenant DDL: statements, one-row checks, transactions, and the failure
 * an error of the tenant server becomes.
 */
final class Sql {

  private Sql() {}

  /** Work on a connection that may fail with an {@link SQLException}. */
  @FunctionalInterface
  interface Work {
    void run(Connection c) throws SQLException;
  }

  /** Runs statements in one transaction (one commit on the server). */
  static void inTransaction(Connection c, String... statements) throws SQLException {
    inTransaction(
        c,
        tx -> {
          for (String sql : statements) {
            exec(tx, sql);
          }
        });
  }

  /** Runs work in one transaction, rolled back when it fails; autocommit restored after. */
  static void inTransaction(Connection c, Work work) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      work.run(c);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Whether the query gives a row; its parameters are bound as text in order. */
  static boolean exists(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      bind(st, args);
      try (var rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The first column of every row the query gives, as text. */
  static List<String> strings(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      bind(st, args);
      List<String> out = new ArrayList<>();
      try (var rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  /**
   * Runs one SQL text. Several statements joined by {@code ;} travel in one round trip and run as
   * one implicit transaction (PostgreSQL docs 55.2.2.1, "Multiple Statements in a Simple Query"; so
   * does pgjdbc's batch of them before one Sync): all or nothing, one commit.
   */
  static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /**
   * A retryable provisioning failure for an error of the tenant server: {@code BACKEND_UNAVAILABLE}
   * when the connection failed (SQLSTATE class 08), {@code BACKEND_ERROR} otherwise. The message
   * names the SQLSTATE, never the server's text (it can hold names or values).
   *
   * @param what what could not be done ("create the roles and database")
   * @param e the error
   * @return the failure to throw
   */
  static ProvisioningException failure(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
    boolean connection = e.getSQLState() != null && e.getSQLState().startsWith("08");
    return new ProvisioningException(
        connection ? "BACKEND_UNAVAILABLE" : "BACKEND_ERROR",
        "could not " + what + " on the tenant Postgres server" + state,
        true,
        e);
  }

  /** Whether an error is PostgreSQL's {@code duplicate_object} (a role that exists). */
  static boolean duplicateObject(SQLException e) {
    return "42710".equals(e.getSQLState());
  }

  private static void bind(PreparedStatement st, String... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      st.setString(i + 1, args[i]);
    }
  }
}
