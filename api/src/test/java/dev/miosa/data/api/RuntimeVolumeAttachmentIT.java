package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A runtime token minted for an instance attaches, renews and detaches its own volume attachment,
 * and nothing else: not another instance's, not another environment's or project's volume, not the
 * operator routes.
 */
class RuntimeVolumeAttachmentIT extends ApiTestBase {

  private String volumeProject() {
    String slug = createProject("rtvol");
    JsonNode op = attachAndWait(slug, "{\"type\":\"volume\",\"config\":{\"sizeGiB\":1}}");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    return slug;
  }

  private String mint(String slug, String env, String instanceId) {
    String body = instanceId == null ? "{}" : "{\"instanceId\":\"" + instanceId + "\"}";
    return admin()
        .post("/v1/projects/" + slug + "/environments/" + env + "/runtime-tokens", body)
        .json()
        .path("token")
        .asString();
  }

  @Test
  void anInstanceAttachesRenewsAndDetachesItsOwnVolume() {
    String slug = volumeProject();
    Http vm1 = admin().as(mint(slug, "production", "vm-1"));
    Http vm2 = admin().as(mint(slug, "production", "vm-2"));

    Http.Res attached = vm1.post("/v1/runtime/volumes/main/attachment", null);
    assertThat(attached.status()).as(attached.body()).isEqualTo(201);
    assertThat(attached.json().path("instanceId").asString()).isEqualTo("vm-1");
    assertThat(vm1.post("/v1/runtime/volumes/volume:main/attachment", null).status())
        .isEqualTo(200);

    // Another instance of the same environment is refused, naming the holder.
    Http.Res taken = vm2.post("/v1/runtime/volumes/main/attachment", null);
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.body()).contains("vm-1");
    // ... and cannot renew or detach vm-1's attachment: it only ever speaks for vm-2.
    assertThat(
            vm2.send("PUT", "/v1/runtime/volumes/main/attachment", null, java.util.Map.of())
                .status())
        .isEqualTo(404);
    assertThat(vm2.delete("/v1/runtime/volumes/main/attachment").status()).isEqualTo(404);
    assertThat(holders(slug, "production")).containsExactly("vm-1");

    assertThat(
            vm1.send("PUT", "/v1/runtime/volumes/main/attachment", null, java.util.Map.of())
                .status())
        .isEqualTo(200);
    assertThat(vm1.delete("/v1/runtime/volumes/main/attachment").status()).isEqualTo(204);
    assertThat(holders(slug, "production")).isEmpty();
    assertThat(vm2.post("/v1/runtime/volumes/main/attachment", null).status()).isEqualTo(201);
  }

  @Test
  void aTokenReachesOnlyItsOwnEnvironmentAndProjectAndNoOperatorRoute() {
    String a = volumeProject();
    String b = volumeProject();
    Http stagingVm = admin().as(mint(a, "staging", "vm-1"));
    assertThat(stagingVm.post("/v1/runtime/volumes/main/attachment", null).status()).isEqualTo(201);
    // The staging token attached the staging volume, never production's.
    assertThat(holders(a, "staging")).containsExactly("vm-1");
    assertThat(holders(a, "production")).isEmpty();

    // Project b's volume is not reachable by naming its id from project a's token.
    String bVolumeId =
        admin().get("/v1/projects/" + b + "/services/volume:main").json().path("id").asString();
    Http.Res foreign = stagingVm.post("/v1/runtime/volumes/" + bVolumeId + "/attachment", null);
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(holders(b, "staging")).isEmpty();

    // The operator's attachment routes stay closed to runtime tokens.
    Http.Res operator =
        stagingVm.post(
            "/v1/projects/" + a + "/services/volume:main/attachments",
            "{\"environment\":\"production\",\"instanceId\":\"vm-1\"}");
    assertThat(operator.status()).isEqualTo(403);
    assertThat(holders(a, "production")).isEmpty();
  }

  @Test
  void aTokenWithoutAnInstanceIsForbidden() {
    String slug = volumeProject();
    Http.Res res =
        admin()
            .as(mint(slug, "production", null))
            .post("/v1/runtime/volumes/main/attachment", null);
    assertThat(res.status()).isEqualTo(403);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    assertThat(holders(slug, "production")).isEmpty();
  }

  private java.util.List<String> holders(String slug, String env) {
    JsonNode items =
        admin()
            .get("/v1/projects/" + slug + "/services/volume:main/attachments?environment=" + env)
            .json()
            .path("items");
    java.util.List<String> out = new java.util.ArrayList<>();
    items.forEach(i -> out.add(i.path("instanceId").asString()));
    return out;
  }
}
