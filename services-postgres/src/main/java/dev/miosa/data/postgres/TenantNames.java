package dev.miosa.data.postgres;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of one resource's objects on its server, all derived from the resource id: the database
 * {@code t_<random>}, its {@code NOLOGIN} owner role {@code t_<random>_owner}, and the login roles
 * of its credentials, {@code t_<random>} for the first generation (the name the login role of the
 * older layout already had) and {@code t_<random>_g<n>} for generation {@code n >= 2}. The random
 * part has no {@code _}, so no name of one resource is ever a name of another; every name is a
 * plain lowercase identifier under 63 bytes, never quoted.
 *
 * @param database the database name ({@link PostgresProvider#nameFor})
 */
record TenantNames(String database) {

  private static final Pattern GENERATION = Pattern.compile("_g([0-9]{1,6})$");

  /** The names of a resource. */
  static TenantNames of(String resourceId) {
    return new TenantNames(PostgresProvider.nameFor(resourceId));
  }

  /** The role that owns the database and every object in it; nobody logs in as it. */
  String owner() {
    return database + "_owner";
  }

  /** The login role of the first credential. */
  String firstLogin() {
    return database;
  }

  /**
   * The login role of the credential after {@code current}: the next generation.
   *
   * @param current a login role of this resource
   * @return its successor's name
   * @throws IllegalArgumentException when {@code current} is not a login of this resource
   */
  String nextLogin(String current) {
    if (current.equals(database)) {
      return database + "_g2";
    }
    Matcher m = GENERATION.matcher(current);
    if (!isLogin(current) || !m.find()) {
      throw new IllegalArgumentException("not a login role of this resource");
    }
    return database + "_g" + (Integer.parseInt(m.group(1)) + 1);
  }

  /** Whether a role name is one of this resource's login roles (of any generation). */
  boolean isLogin(String role) {
    return role.equals(database)
        || (role.startsWith(database + "_g")
            && role.substring(database.length()).matches("_g[0-9]{1,6}"));
  }

  /**
   * A POSIX regular expression matching the login roles' names, for queries on {@code pg_roles}.
   */
  String loginPattern() {
    return "^" + database + "(_g[0-9]{1,6})?$";
  }
}
