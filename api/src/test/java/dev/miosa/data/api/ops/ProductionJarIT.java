package dev.miosa.data.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

/**
 * The production artifact, {@code api/target/miosa-data.jar} as {@code package} built it, carries
 * the embedded default's launchers but no test harness: no {@code TestServers}, no {@code
 * test-servers} module, no test framework. Runs after {@code package} (failsafe, in {@code
 * verify}).
 */
class ProductionJarIT {

  @Test
  void theApplicationJarCarriesTheLaunchersButNoTestHarness() throws IOException {
    Path jar = Path.of("target", "miosa-data.jar");
    assertThat(jar).as("built by package before this test").isRegularFile();
    List<String> entries = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> all = file.entries();
      while (all.hasMoreElements()) {
        JarEntry entry = all.nextElement();
        entries.add(entry.getName());
        if (entry.getName().startsWith("BOOT-INF/lib/") && entry.getName().endsWith(".jar")) {
          try (InputStream in = file.getInputStream(entry);
              JarInputStream nested = new JarInputStream(in)) {
            for (JarEntry e = nested.getNextJarEntry(); e != null; e = nested.getNextJarEntry()) {
              entries.add(entry.getName() + "!/" + e.getName());
            }
          }
        }
      }
    }
    assertThat(entries)
        .anyMatch(e -> e.endsWith("!/dev/miosa/data/local/LocalPostgres.class"))
        .anyMatch(e -> e.endsWith("!/dev/miosa/data/local/LocalPgBouncer.class"))
        .noneMatch(e -> e.endsWith("/TestServers.class"))
        .noneMatch(e -> e.startsWith("BOOT-INF/lib/test-servers-"))
        .noneMatch(e -> e.startsWith("BOOT-INF/lib/junit-"))
        .noneMatch(e -> e.startsWith("BOOT-INF/lib/assertj-"))
        .noneMatch(e -> e.startsWith("BOOT-INF/lib/spring-boot-test"))
        .noneMatch(
            e ->
                e.startsWith("BOOT-INF/classes/")
                    && (e.endsWith("Test.class")
                        || e.endsWith("IT.class")
                        || e.endsWith("TestBase.class")));
  }
}
