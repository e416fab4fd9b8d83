package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.miosa.data.api.runtime.RuntimeEnvListener;
import dev.miosa.data.local.TestServers;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The control-plane PostgreSQL goes away while runtimes fetch their env, as during a restart: its
 * connections are ended and new ones refused, then accepted again. A fetch answers from the cache
 * or with {@code 503} and {@code Retry-After}, never hangs (each request has the client's 60 s
 * limit), and all answer {@code 200} again once the store is back.
 */
class ControlPlaneOutageIT extends ApiTestBase {

  @Autowired RuntimeEnvListener listener;
  @Autowired DataSource controlPlane;

  @Test
  void envFetchesDuringAControlPlaneOutageAnswerFromCacheOr503AndRecover() throws Exception {
    String slug = createProject("outage");
    String warm = mintRuntimeToken(slug, "production");
    String cold = mintRuntimeToken(slug, "production"); // never used before the outage
    Http main = admin().as(warm);
    Http fast = new Http("http://127.0.0.1:" + listener.port(), warm);
    assertThat(main.get("/v1/runtime/env").status()).isEqualTo(200);
    assertThat(fast.get("/v1/runtime/env").status()).isEqualTo(200);

    TestServers.setDatabaseAvailable("miosa_api_test", false);
    try {
      for (int i = 0; i < 3; i++) {
        for (Http client : new Http[] {main, fast}) {
          Http.Res res = client.get("/v1/runtime/env");
          assertThat(res.status()).as(res.body()).isIn(200, 503);
          if (res.status() == 503) {
            assertThat(res.header("Retry-After")).isNotBlank();
          }
        }
      }
      for (Http client :
          new Http[] {admin().as(cold), new Http("http://127.0.0.1:" + listener.port(), cold)}) {
        Http.Res res = client.get("/v1/runtime/env");
        assertThat(res.status()).as(res.body()).isEqualTo(503);
        assertThat(res.header("Retry-After")).isNotBlank();
        assertThat(res.header("Content-Type")).startsWith("application/problem+json");
      }
      // An operator call that needs the store: 503 with Retry-After, never a 500.
      Http.Res list = admin().get("/v1/projects/" + slug);
      assertThat(list.status()).as(list.body()).isEqualTo(503);
      assertThat(list.header("Retry-After")).isNotBlank();
      assertThat(list.header("Content-Type")).startsWith("application/problem+json");
    } finally {
      TestServers.setDatabaseAvailable("miosa_api_test", true);
      // Pooled connections the outage ended are replaced now, not one failed request at a time
      // in the tests that share this application.
      controlPlane.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
    }
    // Recovery: each client gets its env again once the store is back (a connection the outage
    // ended may answer one more 503 first, never a 500).
    for (Http client :
        new Http[] {
          main, fast, admin().as(cold), new Http("http://127.0.0.1:" + listener.port(), cold)
        }) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Http.Res res = client.get("/v1/runtime/env");
                assertThat(res.status()).as(res.body()).isIn(200, 503);
                assertThat(res.status()).isEqualTo(200);
              });
    }
  }
}
