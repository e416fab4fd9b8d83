package dev.miosa.data.storage;

import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import io.minio.MinioClient;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One S3Proxy for the test JVM, reached by the control plane at {@code 127.0.0.1} and by "browsers"
 * at {@code localhost}: two host names for one store, so that a URL signed for the wrong one fails.
 */
final class StorageFixture {

  static final String BACKEND = "s3-test";
  static final LocalS3Proxy STORE = TestServers.s3proxy();
  static final StorageServer SERVER =
      new StorageServer(
          BACKEND,
          URI.create("http://127.0.0.1:" + STORE.port()),
          URI.create("http://localhost:" + STORE.port()),
          LocalS3Proxy.REGION,
          STORE.accessKey(),
          STORE.secretKey(),
          "t-");
  static final StorageBackends BACKENDS = new StorageBackends(List.of(SERVER));
  static final StorageProvider PROVIDER =
      new StorageProvider(BACKENDS, () -> URI.create("http://api.test:8080/"));
  static final ContentUploads CONTENT = new ContentUploads();
  static final ObjectSigner SIGNER = new ObjectSigner(Clock.systemUTC(), CONTENT);
  static final Map<String, StorageTarget> TARGETS = new ConcurrentHashMap<>();
  static final StorageSigning SIGNING =
      new StorageSigning(id -> Optional.ofNullable(TARGETS.get(id)), BACKENDS, SIGNER, CONTENT);

  private StorageFixture() {}

  /** A provisioned environment: its resource, variables and signing target. */
  record Env(
      InMemoryResourceContext resource, Map<String, String> variables, StorageTarget target) {
    String bucket() {
      return target.bucket();
    }

    String key() {
      return variables.get("STORAGE_KEY");
    }
  }

  /** Provisions a bucket for a new environment of the given project and registers its target. */
  static Env provision(String projectId, Map<String, Object> config) {
    var res =
        new InMemoryResourceContext(
            Ids.newId("res"), projectId, "production", BACKEND, PROVIDER.validateConfig(config));
    res.attributes().putAll(PROVIDER.provision(res).attributes());
    var target =
        new StorageTarget(
            res.resourceId(),
            BACKEND,
            res.attributes().get(StorageProvider.ATTR_BUCKET),
            res.attributes().get(StorageProvider.ATTR_KEY_SHA256),
            StorageConfig.from(res.config()));
    TARGETS.put(res.resourceId(), target);
    return new Env(res, PROVIDER.variables(res), target);
  }

  static Env provision() {
    return provision("prj_a", Map.of());
  }

  /** Signs through the use case, expecting a URL. */
  static SignOutcome.Signed sign(Env env, Map<String, ?> body) {
    return (SignOutcome.Signed) sign(env.target(), body);
  }

  /** Signs through the use case a body given as a map (bound as the HTTP edge binds it). */
  static SignOutcome sign(StorageTarget target, Map<String, ?> body) {
    return SIGNING.sign(target, request(body));
  }

  /** Finalizes through the use case. */
  static ContentUploads.Finalized finalizeUpload(StorageTarget target, Map<String, String> body) {
    return SIGNING.finalizeUpload(target, new FinalizeRequest(body.get("uploadKey")));
  }

  /** A request body given as a map, bound strictly (unknown fields and wrong types fail). */
  static SignUrlRequest request(Map<String, ?> body) {
    return STRICT.convertValue(body, SignUrlRequest.class);
  }

  private static final tools.jackson.databind.json.JsonMapper STRICT =
      tools.jackson.databind.json.JsonMapper.builder()
          .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  static MinioClient admin() {
    return BACKENDS.get(BACKEND).admin();
  }
}
