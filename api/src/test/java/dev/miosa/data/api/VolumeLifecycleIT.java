package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.volumes.image.VolumeImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Volumes through real HTTP: attachments with one winner, leases, fencing tokens, forced detach,
 * the delete guard, snapshots, restore and resize, with the image inspected on disk.
 */
class VolumeLifecycleIT extends ApiTestBase {

  static final VolumeImages IMAGES = new VolumeImages();

  String base(String slug) {
    return "/v1/projects/" + slug + "/services/volume:main";
  }

  String newVolumeProject() {
    String slug = createProject("vol");
    JsonNode op = attachAndWait(slug, "{\"type\":\"volume\",\"config\":{\"sizeGiB\":1}}");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    return slug;
  }

  Http.Res attach(String slug, String env, String instance) {
    return admin()
        .post(
            base(slug) + "/attachments",
            "{\"environment\":\"" + env + "\",\"instanceId\":\"" + instance + "\"}");
  }

  JsonNode await(Http.Res accepted) {
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    JsonNode op =
        admin()
            .awaitOperation(accepted.json().path("operationId").asString(), Duration.ofSeconds(60));
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    return op;
  }

  @Test
  void fiftyConcurrentAttachesGiveOne201And49ConflictsNamingTheHolder() throws Exception {
    String slug = newVolumeProject();
    ExecutorService pool = Executors.newFixedThreadPool(50);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Http.Res>> results = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String instance = "vm-" + i;
      results.add(
          pool.submit(
              () -> {
                go.await();
                return attach(slug, "production", instance);
              }));
    }
    go.countDown();
    List<Http.Res> created = new ArrayList<>();
    List<Http.Res> conflicts = new ArrayList<>();
    for (var f : results) {
      Http.Res r = f.get();
      (r.status() == 201 ? created : conflicts).add(r);
    }
    pool.shutdown();

    assertThat(created).hasSize(1);
    JsonNode spec = created.get(0).json();
    String winner = spec.path("instanceId").asString();
    assertThat(spec.path("filesystem").asString()).isEqualTo("ext4");
    assertThat(spec.path("mountPath").asString()).isEqualTo("/data");
    assertThat(spec.path("fencingToken").asLong()).isEqualTo(1);
    assertThat(spec.path("leaseExpiresAt").asString()).isNotBlank();
    assertThat(Files.exists(Path.of(spec.path("imagePath").asString()))).isTrue();
    assertThat(conflicts)
        .hasSize(49)
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(409);
              assertThat(r.header("Content-Type")).startsWith("application/problem+json");
              assertThat(r.json().path("code").asString()).isEqualTo("VOLUME_ATTACHED");
              assertThat(r.json().path("detail").asString()).contains("instance " + winner);
              assertThat(r.json().path("holders").get(0).path("id").asString()).isEqualTo(winner);
            });

    // The runtime's variables say where to mount it.
    JsonNode vars =
        admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
    assertThat(vars.path("VOLUME_PATH").asString()).isEqualTo("/data");
  }

  @Test
  void renewDetachFencingAndForcedDetach() {
    String slug = newVolumeProject();
    JsonNode first = attach(slug, "production", "vm-1").json();
    long token = first.path("fencingToken").asLong();

    var renewed =
        admin().send("PUT", base(slug) + "/attachments/vm-1?fencingToken=" + token, null, Map.of());
    assertThat(renewed.status()).as(renewed.body()).isEqualTo(200);
    assertThat(attach(slug, "production", "vm-1").status()).isEqualTo(200); // its own, again

    // A detach carrying an older token changes nothing.
    assertThat(
            admin().delete(base(slug) + "/attachments/vm-1?fencingToken=" + (token - 1)).status())
        .isEqualTo(204);
    assertThat(attach(slug, "production", "vm-2").status()).isEqualTo(409);
    assertThat(admin().delete(base(slug) + "/attachments/vm-1?fencingToken=" + token).status())
        .isEqualTo(204);

    var second = attach(slug, "production", "vm-2");
    assertThat(second.status()).isEqualTo(201);
    long token2 = second.json().path("fencingToken").asLong();
    assertThat(token2).isGreaterThan(token);
    var lost = admin().send("PUT", base(slug) + "/attachments/vm-1", null, Map.of());
    assertThat(lost.status()).isEqualTo(409);
    assertThat(lost.json().path("code").asString()).isEqualTo("LEASE_LOST");
    assertThat(lost.json().path("detail").asString()).contains("vm-2");

    // The operator forces vm-2 off: its token is stale at once, the next holder's is larger still.
    assertThat(admin().delete(base(slug) + "/attachments/vm-2?force=true").status()).isEqualTo(204);
    assertThat(admin().send("PUT", base(slug) + "/attachments/vm-2", null, Map.of()).status())
        .isEqualTo(409);
    assertThat(attach(slug, "production", "vm-3").json().path("fencingToken").asLong())
        .isEqualTo(token2 + 2);
    assertThat(
            admin()
                .get(base(slug) + "/attachments")
                .json()
                .path("items")
                .get(0)
                .path("instanceId")
                .asString())
        .isEqualTo("vm-3");
  }

  @Test
  void unknownInstancesEnvironmentsAndBadRequestsAreRefusedClearly() {
    String slug = newVolumeProject();
    var unknownEnv = attach(slug, "preview-9", "vm-1");
    assertThat(unknownEnv.status()).isEqualTo(404);
    assertThat(unknownEnv.json().path("code").asString()).isEqualTo("ENVIRONMENT_NOT_FOUND");
    var badId = attach(slug, "production", "vm 1/../x");
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.json().path("errors").get(0).path("field").asString()).isEqualTo("instanceId");
    var missing = admin().post(base(slug) + "/attachments", "{\"environment\":\"production\"}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("errors").get(0).path("field").asString())
        .isEqualTo("instanceId");
    assertThat(admin().delete(base(slug) + "/attachments/vm-never").status()).isEqualTo(404);
    assertThat(
            admin()
                .send("PUT", base(slug) + "/attachments/vm-never", null, Map.of())
                .json()
                .path("code")
                .asString())
        .isEqualTo("ATTACHMENT_NOT_FOUND");
    assertThat(admin().get(base(slug) + "/attachments").json().path("items")).isEmpty();

    for (String bad : List.of("0", "-1", "2048", "\"ten\"")) {
      var res =
          admin()
              .post(
                  "/v1/projects/" + slug + "/services",
                  "{\"type\":\"volume\",\"name\":\"bad\",\"config\":{\"sizeGiB\":" + bad + "}}");
      assertThat(res.status()).as(bad).isEqualTo(400);
      assertThat(res.json().path("errors").get(0).path("field").asString())
          .isEqualTo("config.sizeGiB");
    }
    assertThat(admin().get("/v1/projects/" + slug + "/services/volume:bad").status())
        .isEqualTo(404);
    var resize =
        admin()
            .post(base(slug) + "/resize", "{\"environment\":\"production\",\"sizeGiB\":\"ten\"}");
    assertThat(resize.status()).isEqualTo(400);
    assertThat(resize.json().path("errors").get(0).path("field").asString()).isEqualTo("sizeGiB");
  }

  @Test
  void snapshotRestoreAndGrowKeepTheRightData() throws Exception {
    String slug = newVolumeProject();
    JsonNode spec = attach(slug, "staging", "vm-1").json();
    Path image = Path.of(spec.path("imagePath").asString());
    debugfsWrite(image, "before.txt", "earlier state");

    // While attached: a crash-consistent snapshot works; restore and resize are refused.
    var snap = admin().post(base(slug) + "/snapshots", "{\"environment\":\"staging\"}");
    assertThat(snap.header("Location")).contains("/snapshots/snp_");
    await(snap);
    JsonNode listed =
        admin().get(base(slug) + "/snapshots?environment=staging").json().path("items").get(0);
    assertThat(listed.path("state").asString()).isEqualTo("ready");
    assertThat(listed.path("consistency").asString()).isEqualTo("crash-consistent");
    String snapshotId = listed.path("id").asString();

    // Another project naming this snapshot never gets its data, and is told so.
    String other = createProject("vol-other");
    var stolen =
        admin()
            .post(
                "/v1/projects/" + other + "/services",
                "{\"type\":\"volume\",\"config\":{\"fromSnapshot\":\"" + snapshotId + "\"}}");
    assertThat(stolen.status()).as(stolen.body()).isEqualTo(404);
    assertThat(stolen.json().path("code").asString()).isEqualTo("SNAPSHOT_NOT_FOUND");
    assertThat(InputValidationIT.fields(stolen.json())).containsExactly("config.fromSnapshot");
    assertThat(admin().get("/v1/projects/" + other + "/services").json().path("items").size())
        .as("nothing left provisioning")
        .isZero();

    var refused = admin().post(base(slug) + "/snapshots/" + snapshotId + "/restore", null);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().path("code").asString()).isEqualTo("VOLUME_ATTACHED");
    assertThat(
            admin()
                .post(base(slug) + "/resize", "{\"environment\":\"staging\",\"sizeGiB\":2}")
                .status())
        .isEqualTo(409);

    debugfsWrite(image, "after.txt", "later write");
    assertThat(admin().delete(base(slug) + "/attachments/vm-1").status()).isEqualTo(204);

    await(admin().post(base(slug) + "/snapshots/" + snapshotId + "/restore", null));
    assertThat(debugfsRead(image, "before.txt")).isEqualTo("earlier state");
    assertThat(debugfsRead(image, "after.txt")).isNull();

    await(admin().post(base(slug) + "/resize", "{\"environment\":\"staging\",\"sizeGiB\":2}"));
    assertThat(IMAGES.inspect(image).sizeBytes()).isEqualTo(2 * VolumeImages.GIB);
    assertThat(admin().get(base(slug)).json().path("config").path("sizeGiB").asInt())
        .as("the grown size in config")
        .isEqualTo(2);
    assertThat(debugfsRead(image, "before.txt")).isEqualTo("earlier state");
    assertThat(IMAGES.allocatedBytes(image)).isLessThan(Files.size(image) / 50);
    var shrink =
        admin().post(base(slug) + "/resize", "{\"environment\":\"staging\",\"sizeGiB\":1}");
    assertThat(shrink.status()).isEqualTo(400);
    assertThat(shrink.json().path("detail").asString()).contains("only grow");
    assertThat(attach(slug, "staging", "vm-2").json().path("sizeGiB").asInt()).isEqualTo(2);
  }

  @Test
  void deletingAnAttachedVolumeIsRefusedUntilDetachedOrForced() throws Exception {
    String slug = newVolumeProject();
    Path image = Path.of(attach(slug, "production", "vm-1").json().path("imagePath").asString());
    var refused = admin().delete(base(slug) + "?confirm=main");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().path("code").asString()).isEqualTo("VOLUME_ATTACHED");
    assertThat(refused.json().path("detail").asString()).contains("instance vm-1");
    assertThat(admin().get(base(slug)).json().path("phase").asString()).isEqualTo("ready");
    assertThat(
            admin()
                .delete("/v1/projects/" + slug + "/environments/production?confirm=production")
                .status())
        .isEqualTo(409);

    var forced = admin().delete(base(slug) + "?confirm=main&force=true");
    await(forced);
    assertThat(Files.exists(image)).as("kept while deleted").isTrue();
    await(
        admin()
            .delete(
                "/v1/projects/"
                    + slug
                    + "/services/"
                    + forced.json().path("id").asString()
                    + "?confirm=main&purge=true"));
    assertThat(Files.exists(image)).isFalse();
    assertThat(Files.exists(image.getParent())).isFalse();
  }

  private static String debugfs() {
    return Files.isExecutable(Path.of("/usr/sbin/debugfs")) ? "/usr/sbin/debugfs" : "/sbin/debugfs";
  }

  private static void debugfsWrite(Path image, String name, String content) throws Exception {
    Path local = Files.createTempFile("miosa-e2e", ".txt");
    Files.writeString(local, content);
    Process p =
        new ProcessBuilder(debugfs(), "-w", "-R", "write " + local + " " + name, image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).isZero();
    assertThat(out).contains("Allocated inode");
    Files.delete(local);
  }

  /** The file's content, or null when the image has no such file. */
  private static String debugfsRead(Path image, String name) throws Exception {
    Process p = new ProcessBuilder(debugfs(), "-R", "cat /" + name, image.toString()).start();
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor()).isZero();
    return err.contains("not found") ? null : out;
  }
}
