package dev.miosa.data.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** One-line SQL for tests: run a statement, read the first column of the first row. */
final class TestSql {

  private TestSql() {}

  static void exec(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** The first column of the first row, as text. */
  static String text(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The first column of the first row, as an integer (a count). */
  static int count(Connection c, String sql) throws SQLException {
    return Integer.parseInt(text(c, sql));
  }
}
