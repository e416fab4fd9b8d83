package dev.miosa.data.postgres;

import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spare databases of a {@link PostgresProvider}'s tenant servers, as the wiring and operators
 * see them: counts for metrics, and refills on demand (at start, in benchmarks and tests). The
 * spares themselves, their claim and refill are {@link SpareDatabases}'; see DESIGN.md beside this
 * file.
 */
public final class PostgresSpares {

  /** How many spare databases a provider keeps ready per server unless told otherwise. */
  public static final int DEFAULT_PER_SERVER = 4;

  private final List<PostgresServer> servers;
  private final SpareDatabases spares;

  PostgresSpares(Collection<PostgresServer> servers, SpareDatabases spares) {
    this.servers = List.copyOf(servers);
    this.spares = spares;
  }

  /**
   * Spares kept per server.
   *
   * @return 0 to 64
   */
  public int perServer() {
    return spares.target();
  }

  /**
   * Attaches of this process that renamed a spare.
   *
   * @return the count since start
   */
  public long claimed() {
    return spares.claimedCount();
  }

  /**
   * Attaches of this process that found no spare free (spares on) and ran {@code CREATE DATABASE}.
   *
   * @return the count since start
   */
  public long missed() {
    return spares.missedCount();
  }

  /**
   * Brings every server's spares to the target now, on the caller's thread (as the background
   * refill does after attaches).
   *
   * @return the finished spares per server id afterwards (-1 where another replica or thread was
   *     refilling)
   * @throws ProvisioningException when a server cannot be reached or refuses (retryable)
   */
  public Map<String, Integer> refillNow() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (PostgresServer server : servers) {
      try {
        out.put(server.id(), spares.refill(server));
      } catch (SQLException e) {
        throw Sql.failure("refill the spare databases", e);
      }
    }
    return out;
  }

  /**
   * Starts a background refill of every server's spares and returns at once; a server that cannot
   * be reached is logged and tried again after the next attach.
   */
  public void refillSoon() {
    servers.forEach(spares::refillSoon);
  }
}
