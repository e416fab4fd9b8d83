package dev.miosa.data.postgres.backup;

import dev.miosa.data.postgres.PostgresConfig;
import dev.miosa.data.provisioner.Periodic;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.support.CronExpression;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks for scheduled backups when they are due. Every replica runs it; each due backup is asked for
 * once, because its {@code (resource, due time)} row can be inserted only once. Missed due times
 * are not made up: after a pause only the latest due time gets its backup (looking back at most
 * {@link #LOOKBACK}).
 */
public final class BackupScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** How far back a missed due time is still honoured. */
  public static final Duration LOOKBACK = Duration.ofDays(2);

  private final JdbcClient jdbc;
  private final PostgresBackups backups;
  private final JsonMapper json = JsonMapper.builder().build();
  private ScheduledExecutorService timer;

  /**
   * @param controlPlane the control-plane store
   * @param backups where backups are asked for
   */
  public BackupScheduler(DataSource controlPlane, PostgresBackups backups) {
    this.jdbc = JdbcClient.create(controlPlane);
    this.backups = backups;
  }

  /**
   * Runs {@link #tick} every {@code interval} on a daemon thread.
   *
   * @param interval time between ticks (a due backup starts at most this late)
   */
  public synchronized void start(Duration interval) {
    if (timer != null) {
      return;
    }
    timer = Periodic.start("miosa-backup-scheduler", interval, interval, () -> tick(Instant.now()));
  }

  /**
   * Asks for every backup due at or before {@code now}, then expires backups of deleted databases.
   *
   * @param now the current time
   * @return how many backups were asked for by this call
   */
  public int tick(Instant now) {
    int asked = 0;
    var rows =
        jdbc.sql(
                """
                SELECT r.id, r.created_at, s.project_id, s.id AS service_id, r.environment_id, e.name AS environment_name,
                       s.config, (SELECT max(b.scheduled_at) FROM postgres_backups b WHERE b.resource_id = r.id) AS last_due
                FROM resources r
                JOIN data_services s ON s.id = r.service_id
                JOIN environments e ON e.id = r.environment_id
                WHERE s.type = 'postgres' AND s.state = 'active' AND r.phase = 'ready' AND r.desired = 'present'
                """)
            .query(
                (rs, n) ->
                    new Due(
                        new BackupStore.Source(
                            rs.getString("project_id"),
                            rs.getString("service_id"),
                            rs.getString("id"),
                            rs.getString("environment_id"),
                            rs.getString("environment_name")),
                        json.readValue(rs.getString("config"), MAP),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("last_due") == null
                            ? null
                            : rs.getTimestamp("last_due").toInstant()))
            .list();
    for (Due d : rows) {
      Optional<CronExpression> cron;
      try {
        cron = PostgresConfig.from(d.config()).cron();
      } catch (InvalidConfigException e) {
        continue; // stored configs were validated; an old shape is skipped, not fatal
      }
      if (cron.isEmpty()) {
        continue;
      }
      Instant after = latest(d.createdAt(), d.lastDue(), now.minus(LOOKBACK));
      Optional<Instant> due = lastFire(cron.get(), after, now);
      if (due.isPresent() && backups.requestScheduled(d.source(), due.get()).isPresent()) {
        asked++;
        log.info(
            "scheduled backup of {} ({}) due at {} asked for",
            d.source().resourceId(),
            d.source().environmentName(),
            due.get());
      }
    }
    backups.expire();
    return asked;
  }

  /** The last time the schedule fires after {@code after} and at or before {@code now}. */
  static Optional<Instant> lastFire(CronExpression cron, Instant after, Instant now) {
    ZonedDateTime t = after.atZone(ZoneOffset.UTC);
    ZonedDateTime end = now.atZone(ZoneOffset.UTC);
    ZonedDateTime last = null;
    for (int i = 0; i < 200_000; i++) {
      ZonedDateTime next = cron.next(t);
      if (next == null || next.isAfter(end)) {
        break;
      }
      last = next;
      t = next;
    }
    return Optional.ofNullable(last).map(ZonedDateTime::toInstant);
  }

  private static Instant latest(Instant a, Instant b, Instant c) {
    Instant m = a.isAfter(c) ? a : c;
    return b != null && b.isAfter(m) ? b : m;
  }

  private record Due(
      BackupStore.Source source, Map<String, Object> config, Instant createdAt, Instant lastDue) {}

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
