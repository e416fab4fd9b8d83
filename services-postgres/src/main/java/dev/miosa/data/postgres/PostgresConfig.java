package dev.miosa.data.postgres;

import static dev.miosa.data.provisioner.spi.ConfigValues.intIn;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.scheduling.support.CronExpression;

/**
 * The plan of a Postgres data service.
 *
 * @param connectionLimit the role's {@code CONNECTION LIMIT} per environment: server connections,
 *     pooled and direct together (1 to 10,000, default 20)
 * @param poolMode PgBouncer pool mode, {@code transaction} (default) or {@code session}
 * @param poolSize server connections PgBouncer keeps for the database (1 to {@code
 *     connectionLimit}; default half the connection limit, at most 10, leaving the rest for direct
 *     connections)
 * @param maxClientConnections client connections to PgBouncer for the database (at least {@code
 *     poolSize}, at most 10,000, default 100; enforced by PgBouncer 1.24 and newer)
 * @param backupSchedule when scheduled backups run: a cron expression evaluated in UTC (Spring's
 *     six fields {@code second minute hour day month weekday}, the classic five fields, or a macro
 *     such as {@code @daily}), or {@code off}; at most hourly (one second and one minute of the
 *     hour); default {@code @daily} (00:00 UTC)
 * @param backupRetention how many succeeded backups of each environment are kept, the newest (1 to
 *     1,000, default 7)
 */
public record PostgresConfig(
    int connectionLimit,
    String poolMode,
    int poolSize,
    int maxClientConnections,
    String backupSchedule,
    int backupRetention) {

  /** Default connections per role. */
  public static final int DEFAULT_CONNECTION_LIMIT = 20;

  /** Default client connections per database through PgBouncer. */
  public static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 100;

  /** Default backup schedule: daily at 00:00 UTC. */
  public static final String DEFAULT_BACKUP_SCHEDULE = "@daily";

  /** Default number of backups kept per environment. */
  public static final int DEFAULT_BACKUP_RETENTION = 7;

  /** The {@code backupSchedule} that turns scheduled backups off. */
  public static final String SCHEDULE_OFF = "off";

  /**
   * Reads and validates a config map.
   *
   * @param config the operator's config
   * @return the plan
   * @throws InvalidConfigException naming the bad field
   */
  public static PostgresConfig from(Map<String, Object> config) {
    int limit = DEFAULT_CONNECTION_LIMIT;
    String poolMode = "transaction";
    Integer poolSize = null;
    int maxClients = DEFAULT_MAX_CLIENT_CONNECTIONS;
    String schedule = DEFAULT_BACKUP_SCHEDULE;
    int retention = DEFAULT_BACKUP_RETENTION;
    for (var e : config.entrySet()) {
      switch (e.getKey()) {
        case "connectionLimit" -> limit = intIn(e.getValue(), "config.connectionLimit", 1, 10_000);
        case "poolMode" -> poolMode = poolMode(e.getValue());
        case "poolSize" -> poolSize = intIn(e.getValue(), "config.poolSize", 1, 10_000);
        case "maxClientConnections" ->
            maxClients = intIn(e.getValue(), "config.maxClientConnections", 1, 10_000);
        case "backupSchedule" -> schedule = schedule(e.getValue());
        case "backupRetention" ->
            retention = intIn(e.getValue(), "config.backupRetention", 1, 1_000);
        default ->
            throw new InvalidConfigException(
                "config." + e.getKey(), "unknown setting for postgres");
      }
    }
    if (poolSize == null) {
      poolSize = Math.max(1, Math.min(10, limit / 2));
    } else if (poolSize > limit) {
      throw new InvalidConfigException(
          "config.poolSize",
          "must not exceed config.connectionLimit ("
              + limit
              + "): the pool logs in as the tenant role");
    }
    if (maxClients < poolSize) {
      throw new InvalidConfigException(
          "config.maxClientConnections", "must be at least config.poolSize (" + poolSize + ")");
    }
    return new PostgresConfig(limit, poolMode, poolSize, maxClients, schedule, retention);
  }

  /** The config as stored, defaults included. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("connectionLimit", connectionLimit);
    out.put("poolMode", poolMode);
    out.put("poolSize", poolSize);
    out.put("maxClientConnections", maxClientConnections);
    out.put("backupSchedule", backupSchedule);
    out.put("backupRetention", backupRetention);
    return out;
  }

  /**
   * The backup schedule as a cron expression, or empty when scheduled backups are off.
   *
   * @return the expression, evaluated in UTC
   */
  public java.util.Optional<CronExpression> cron() {
    return SCHEDULE_OFF.equals(backupSchedule)
        ? java.util.Optional.empty()
        : java.util.Optional.of(parseCron(backupSchedule));
  }

  private static String schedule(Object value) {
    if (!(value instanceof String text) || text.isBlank()) {
      throw new InvalidConfigException(
          "config.backupSchedule",
          "must be a cron expression such as \"0 3 * * *\", a macro such as \"@daily\", or \"off\"");
    }
    String trimmed = text.trim();
    if (SCHEDULE_OFF.equals(trimmed)) {
      return trimmed;
    }
    CronExpression cron;
    try {
      cron = parseCron(trimmed);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          "config.backupSchedule",
          "is not a cron expression ("
              + e.getMessage()
              + "); e.g. \"0 3 * * *\" or \"@daily\", evaluated in UTC");
    }
    if (!atMostHourly(trimmed)) {
      throw new InvalidConfigException(
          "config.backupSchedule",
          "must run at most once an hour (one minute of the hour and one second), e.g. \"0 * *"
              + " * *\" or \"@hourly\"");
    }
    return trimmed;
  }

  /**
   * Whether a valid schedule fires at most once an hour. The second and minute fields of a cron
   * expression do not depend on the others, so it does exactly when those two alone match one
   * moment of an hour (macros run hourly or less often).
   */
  static boolean atMostHourly(String schedule) {
    if (schedule.startsWith("@")) {
      return true;
    }
    String[] fields = parseCronFields(schedule);
    CronExpression secondsAndMinutes =
        CronExpression.parse(fields[0] + " " + fields[1] + " * * * *");
    LocalDateTime hour = LocalDateTime.of(2026, 1, 1, 0, 0);
    LocalDateTime first = secondsAndMinutes.next(hour.minusNanos(1));
    LocalDateTime second = first == null ? null : secondsAndMinutes.next(first);
    return second == null || !second.isBefore(hour.plusHours(1));
  }

  /** The six fields of a non-macro schedule (five fields get a seconds field of 0). */
  private static String[] parseCronFields(String schedule) {
    String[] fields = schedule.trim().split("\\s+");
    return fields.length == 5 ? ("0 " + String.join(" ", fields)).split(" ") : fields;
  }

  /** Spring's six-field cron, or the classic five fields (seconds taken as 0), or a macro. */
  static CronExpression parseCron(String text) {
    String t = text.trim();
    return CronExpression.parse(t.startsWith("@") ? t : String.join(" ", parseCronFields(t)));
  }

  private static String poolMode(Object value) {
    if ("transaction".equals(value) || "session".equals(value)) {
      return (String) value;
    }
    throw new InvalidConfigException(
        "config.poolMode",
        "must be \"transaction\" or \"session\" (statement pooling breaks multi-statement transactions)");
  }

  /**
   * What PgBouncer serves for a database with this plan, naming one of its login roles.
   *
   * @param database the database name
   * @param server the tenant server it is on
   * @param login the login role the entry names
   * @param verifier that role's SCRAM-SHA-256 verifier
   * @return the entry
   */
  dev.miosa.data.postgres.pooler.PoolerEntry poolerEntry(
      String database,
      PostgresServer server,
      String login,
      dev.miosa.data.credentials.Secret verifier) {
    return new dev.miosa.data.postgres.pooler.PoolerEntry(
        database,
        login,
        server.host(),
        server.port(),
        poolMode,
        poolSize,
        maxClientConnections,
        verifier);
  }
}
