package dev.miosa.data.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.postgres.PostgresConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Scheduled backups: due times from cron in UTC, each asked for once across replicas. */
class BackupSchedulerIT {

  static final BackupWorld world = new BackupWorld();

  @Test
  void eachDueBackupIsAskedForOnceWhenSeveralReplicasTickAtOnce() throws Exception {
    var t = world.tenant(Map.of("backupSchedule", "0 * * * *"), "production", "staging");
    Instant created =
        world
            .jdbc
            .sql("SELECT min(created_at) FROM resources WHERE service_id = :s")
            .param("s", t.serviceId())
            .query(java.sql.Timestamp.class)
            .single()
            .toInstant();
    Instant now = created.plus(Duration.ofMinutes(90));
    // Three replicas, each with its own scheduler, ticking concurrently at the same moment.
    List<BackupScheduler> replicas =
        List.of(
            new BackupScheduler(world.controlPlane, world.backups(Duration.ofDays(7))),
            new BackupScheduler(world.controlPlane, world.backups(Duration.ofDays(7))),
            new BackupScheduler(world.controlPlane, world.backups(Duration.ofDays(7))));
    ExecutorService pool = Executors.newFixedThreadPool(9);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> asked = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      BackupScheduler s = replicas.get(i % 3);
      asked.add(
          pool.submit(
              () -> {
                go.await();
                return s.tick(now);
              }));
    }
    go.countDown();
    int total = 0;
    for (Future<Integer> f : asked) {
      total += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    List<Backup> scheduled = world.backups.list(t.serviceId(), null);
    assertThat(scheduled).hasSize(2).allSatisfy(b -> assertThat(b.kind()).isEqualTo("scheduled"));
    assertThat(total).isGreaterThanOrEqualTo(2); // (other tests' databases may be due too)
    assertThat(scheduled)
        .extracting(Backup::environmentName)
        .containsExactlyInAnyOrder("production", "staging");
    Instant due = scheduled.get(0).scheduledAt();
    assertThat(due).isBeforeOrEqualTo(now).isAfter(now.minus(Duration.ofHours(1)));
    assertThat(due.atZone(java.time.ZoneOffset.UTC).getMinute()).isZero();
    long operations =
        world
            .jdbc
            .sql(
                "SELECT count(*) FROM operations WHERE type = 'postgres.backup' AND service_id = :s")
            .param("s", t.serviceId())
            .query(Long.class)
            .single();
    assertThat(operations).isEqualTo(2);

    // Ticking again at the same moment asks for nothing more; the next due time asks again.
    replicas.get(0).tick(now);
    assertThat(world.backups.list(t.serviceId(), null)).hasSize(2);
    replicas.get(1).tick(now.plus(Duration.ofHours(1)));
    assertThat(world.backups.list(t.serviceId(), null)).hasSize(4);
    world.drain();
    assertThat(world.backups.list(t.serviceId(), "production"))
        .hasSize(2)
        .allSatisfy(b -> assertThat(b.state()).isEqualTo("succeeded"));
  }

  @Test
  void scheduleOffAsksForNothingAndNothingIsDueBeforeTheDatabaseExisted() {
    var off = world.tenant(Map.of("backupSchedule", "off"), "production");
    var daily = world.tenant(Map.of(), "production");
    Instant created = Instant.now();
    BackupScheduler scheduler = new BackupScheduler(world.controlPlane, world.backups);
    // Just after creation no midnight has passed since the database existed (unless it is
    // midnight).
    scheduler.tick(created);
    assertThat(world.backups.list(off.serviceId(), null)).isEmpty();
    scheduler.tick(created.plus(Duration.ofDays(3)));
    assertThat(world.backups.list(off.serviceId(), null)).isEmpty();
    List<Backup> dailies = world.backups.list(daily.serviceId(), null);
    assertThat(dailies).hasSize(1); // missed days are not made up: only the latest midnight
    assertThat(dailies.get(0).scheduledAt().atZone(java.time.ZoneOffset.UTC).toLocalTime())
        .isEqualTo(java.time.LocalTime.MIDNIGHT);
    world.drain();
  }

  @Test
  void lastFireIsTheLatestDueTimeInUtc() {
    var cron = PostgresConfig.from(Map.of("backupSchedule", "0 3 * * *")).cron().orElseThrow();
    Instant now = Instant.parse("2026-11-29T12:00:00Z");
    assertThat(BackupScheduler.lastFire(cron, now.minus(Duration.ofDays(2)), now))
        .contains(Instant.parse("2026-11-29T03:00:00Z"));
    assertThat(BackupScheduler.lastFire(cron, Instant.parse("2026-11-29T03:00:00Z"), now))
        .isEmpty();
  }

  @Test
  void backupSettingsAreValidatedNamingTheField() {
    assertThatThrownBy(() -> world.provider.validateConfig(Map.of("backupSchedule", "every day")))
        .extracting("field")
        .isEqualTo("config.backupSchedule");
    assertThatThrownBy(() -> world.provider.validateConfig(Map.of("backupSchedule", 5)))
        .extracting("field")
        .isEqualTo("config.backupSchedule");
    assertThatThrownBy(() -> world.provider.validateConfig(Map.of("backupRetention", 0)))
        .extracting("field")
        .isEqualTo("config.backupRetention");
    assertThat(world.provider.validateConfig(Map.of()))
        .containsEntry("backupSchedule", "@daily")
        .containsEntry("backupRetention", 7);
    assertThat(world.provider.validateConfig(Map.of("backupSchedule", "0 0 3 * * MON")))
        .containsEntry("backupSchedule", "0 0 3 * * MON");
  }

  @Test
  void schedulesMoreFrequentThanHourlyAreRefusedNamingTheField() {
    for (String often :
        List.of(
            "*/10 * * * *",
            "* 3 * * *",
            "0,30 3 * * *",
            "0-1 * * * *",
            "*/30 0 3 * * *",
            "0 0/30 * * * *",
            "* * * * * *")) {
      assertThatThrownBy(() -> world.provider.validateConfig(Map.of("backupSchedule", often)))
          .as(often)
          .hasMessageContaining("at most once an hour")
          .extracting("field")
          .isEqualTo("config.backupSchedule");
    }
    for (String hourly :
        List.of(
            "0 * * * *", "@hourly", "@daily", "0 0 * * * *", "59 23 * * SUN", "30 15 0-6 * * *")) {
      assertThat(world.provider.validateConfig(Map.of("backupSchedule", hourly)))
          .as(hourly)
          .containsEntry("backupSchedule", hourly);
    }
  }
}
