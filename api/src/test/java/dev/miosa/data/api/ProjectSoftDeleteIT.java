package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.api.service.ProjectDeletion;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Deleting a project with its data services: hidden and its tenants refused, undeleted with the
 * same data, purged with everything.
 */
class ProjectSoftDeleteIT extends ApiTestBase {

  @Autowired ProjectDeletion deletion;

  @Test
  void aProjectDeletedWithItsDataServicesComesBackWithThemAndIsPurgedWithThem() throws Exception {
    String slug = createProject("sd-prj");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    JsonNode vars =
        admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
    String url = vars.path("JDBC_DATABASE_URL").asString();
    SoftDeleteIT.writeRow(url);
    String redis = deleteAndWait(slug, "redis:main", "main").path("id").asString();
    Http runtime = admin().as(mintRuntimeToken(slug, "production"));

    var refused = admin().delete("/v1/projects/" + slug);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().path("code").asString()).isEqualTo("PROJECT_HAS_SERVICES");
    var wrong = admin().delete("/v1/projects/" + slug + "?confirm=other");
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.json().path("errors").get(0).path("field").asString()).isEqualTo("confirm");

    var deleted = admin().delete("/v1/projects/" + slug + "?confirm=" + slug);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    String id = deleted.json().path("id").asString();
    assertThat(deleted.json().path("purgeAt").asString()).isNotBlank();
    awaitAllSucceeded(deleted.json().path("operationIds"));
    assertThat(admin().get("/v1/projects/" + slug).status()).isEqualTo(404);
    assertThat(admin().get("/v1/projects?limit=100").body()).doesNotContain(id);
    assertThat(runtime.get("/v1/runtime/env").status()).as("its runtime tokens").isEqualTo(401);
    assertThat(SoftDeleteIT.canLogin(vars.path("PGUSER").asString())).isFalse();

    var undeleted = admin().post("/v1/projects/" + id + "/undelete", null);
    assertThat(undeleted.status()).as(undeleted.body()).isEqualTo(202);
    assertThat(undeleted.json().path("operationIds").size())
        .as("only the data services its deletion deleted")
        .isEqualTo(1);
    awaitAllSucceeded(undeleted.json().path("operationIds"));
    assertThat(admin().get("/v1/projects/" + slug).status()).isEqualTo(200);
    assertThat(SoftDeleteIT.readRow(url)).isEqualTo("row");
    assertThat(runtime.get("/v1/runtime/env").json().path("DATABASE_URL").asString())
        .isEqualTo(vars.path("DATABASE_URL").asString());
    assertThat(admin().get("/v1/projects/" + slug + "/services?state=deleted").json().toString())
        .as("deleted on its own before: still deleted")
        .contains(redis);
    assertThat(
            admin().post("/v1/projects/" + id + "/undelete", null).json().path("code").asString())
        .isEqualTo("NOT_DELETED");

    awaitAllSucceeded(
        admin().delete("/v1/projects/" + slug + "?confirm=" + slug).json().path("operationIds"));
    var purged = admin().delete("/v1/projects/" + id + "?confirm=" + slug + "&purge=true");
    assertThat(purged.status()).as(purged.body()).isEqualTo(202);
    assertThat(purged.json().path("operationIds").size()).as("postgres and redis").isEqualTo(2);
    awaitAllSucceeded(purged.json().path("operationIds"));
    assertThat(SoftDeleteIT.canLogin(vars.path("PGUSER").asString())).as("role dropped").isNull();
    assertThat(deletion.removePurged()).isGreaterThanOrEqualTo(1);
    assertThat(admin().post("/v1/projects/" + id + "/undelete", null).status()).isEqualTo(404);
  }
}
