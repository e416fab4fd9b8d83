package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The migrations moved from the api's single {@code db/migration} folder into one folder per module
 * without a byte changed: a control-plane database migrated with the old layout is, for Flyway, the
 * same history as the new layout's (version, description and checksum of every script).
 */
class MigrationLayoutIT {

  @Test
  void aDatabaseMigratedFromTheSingleFolderValidatesAndMigratesWithTheModuleFolders(
      @TempDir Path singleFolder) throws Exception {
    List<String> locations = apiLocations();
    assertThat(locations).contains("classpath:db/migration/api");
    // The old layout: every script in one folder, as it was in api/src/main/resources/db/migration.
    var resolver = new PathMatchingResourcePatternResolver();
    int scripts = 0;
    for (String location : locations) {
      for (Resource r :
          resolver.getResources(location.replace("classpath:", "classpath*:") + "/*.sql")) {
        try (InputStream in = r.getInputStream()) {
          Files.copy(in, singleFolder.resolve(r.getFilename()));
        }
        scripts++;
      }
    }
    assertThat(scripts).isGreaterThanOrEqualTo(6);
    DriverManagerDataSource db = emptyDatabase();
    Flyway.configure().dataSource(db).locations("filesystem:" + singleFolder).load().migrate();

    Flyway moduleFolders =
        Flyway.configure().dataSource(db).locations(locations.toArray(String[]::new)).load();

    ValidateResult validation = moduleFolders.validateWithResult();
    assertThat(validation.invalidMigrations).isEmpty();
    assertThat(validation.validationSuccessful).isTrue();
    assertThat(moduleFolders.migrate().migrationsExecuted).isZero();
    assertThat(moduleFolders.info().pending()).isEmpty();
    assertThat(moduleFolders.info().applied()).hasSize(scripts);
  }

  @Test
  void noMigrationIsLeftOutsideTheModuleFolders() throws Exception {
    // Flyway would not see a script in db/migration itself: every one lives in
    // db/migration/<module>.
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(root.resolve("api/src/main/resources/db/migration"))) {
      root = root.getParent();
    }
    try (var files = Files.list(root.resolve("api/src/main/resources/db/migration"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".sql")).toList())
          .as("migrations belong in db/migration/<module> (see spring.flyway.locations)")
          .isEmpty();
    }
  }

  /** The api's {@code spring.flyway.locations}. */
  private static List<String> apiLocations() throws Exception {
    Properties props = new Properties();
    try (InputStream in = new ClassPathResource("application.properties").getInputStream()) {
      props.load(in);
    }
    return Arrays.stream(props.getProperty("spring.flyway.locations").split(","))
        .map(String::strip)
        .toList();
  }

  private static DriverManagerDataSource emptyDatabase() throws Exception {
    LocalPostgres pg = TestServers.postgres();
    String name = "layout_" + Long.toString(System.nanoTime(), 36);
    pg.createDatabaseIfAbsent(name);
    return new DriverManagerDataSource(
        pg.jdbcUrl(name), LocalPostgres.SUPERUSER, pg.superuserPassword().reveal());
  }
}
