package dev.miosa.data.storage;

import static dev.miosa.data.storage.StorageFixture.PROVIDER;
import static dev.miosa.data.storage.StorageFixture.admin;
import static dev.miosa.data.storage.StorageFixture.provision;
import static dev.miosa.data.storage.StorageFixture.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.TokenHashes;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import io.minio.BucketExistsArgs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage provider against a real S3Proxy. */
class StorageProviderTest {

  @TempDir Path dir;

  static boolean bucketExists(String bucket) throws Exception {
    return admin().bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
  }

  @Test
  void provisionCreatesAPrivateBucketWithADnsSafeNameAndTheThreeVariables() throws Exception {
    var env = provision();
    Map<String, String> vars = env.variables();
    assertThat(vars).containsOnlyKeys("STORAGE_BUCKET", "STORAGE_URL", "STORAGE_KEY");
    assertThat(vars.get("STORAGE_BUCKET"))
        .matches("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
        .isEqualTo(env.bucket());
    assertThat(vars.get("STORAGE_URL"))
        .isEqualTo("http://api.test:8080/v1/storage/" + env.resource().resourceId());
    assertThat(vars.get("STORAGE_KEY")).startsWith("msk_").hasSizeGreaterThanOrEqualTo(40);
    assertThat(env.resource().attributes())
        .containsEntry(
            StorageProvider.ATTR_KEY_SHA256, TokenHashes.sha256Hex(vars.get("STORAGE_KEY")))
        .doesNotContainValue(vars.get("STORAGE_KEY"));
    assertThat(bucketExists(env.bucket())).isTrue();

    String base = StorageFixture.SERVER.publicEndpoint() + "/" + env.bucket();
    assertThat(Curl.get(base).status()).as("anonymous listing").isIn(403, 404);
    Path f = Files.writeString(dir.resolve("a.txt"), "anonymous");
    assertThat(Curl.put(base + "/a.txt", f).status()).as("anonymous upload").isEqualTo(403);
  }

  @Test
  void environmentsGetDistinctBucketsAndKeys() {
    var production = provision();
    var staging = provision();
    assertThat(production.bucket()).isNotEqualTo(staging.bucket());
    assertThat(production.key()).isNotEqualTo(staging.key());
  }

  @Test
  void provisionAgainKeepsTheKeyAndTheObjects() throws Exception {
    var env = provision();
    Path f = Files.writeString(dir.resolve("kept.txt"), "kept");
    assertThat(
            Curl.put(
                    sign(env, Map.of("method", "PUT", "key", "kept.txt", "contentLength", 4)).url(),
                    f)
                .status())
        .isEqualTo(200);

    ProvisionResult again = PROVIDER.provision(env.resource());
    assertThat(again.action()).isEqualTo(ProvisionResult.Action.UNCHANGED);
    assertThat(PROVIDER.variables(env.resource())).isEqualTo(env.variables());
    assertThat(Curl.get(sign(env, Map.of("method", "GET", "key", "kept.txt")).url()).text())
        .isEqualTo("kept");
  }

  @Test
  void deprovisionRemovesTheBucketAndEveryObjectInItAndAgainIsANoOp() throws Exception {
    var env = provision();
    Path f = Files.writeString(dir.resolve("x"), "x");
    for (String key : List.of("a.txt", "deep/er/b.txt", "ü/ñ.txt", "c d+e%.txt")) {
      var put = sign(env, Map.of("method", "PUT", "key", key, "contentLength", 1));
      assertThat(Curl.put(put.url(), f).status()).isEqualTo(200);
    }
    byte[] body = "content".getBytes(StandardCharsets.UTF_8);
    String hash = ContentAddressingIT.sha256(body);
    var upload =
        (SignOutcome.Signed)
            StorageFixture.sign(
                env.target(),
                Map.of("method", "PUT", "contentSha256", hash, "contentLength", body.length));
    assertThat(Curl.put(upload.url(), Files.write(dir.resolve("c"), body)).status()).isEqualTo(200);
    Path onDisk = StorageFixture.STORE.objectsDir().resolve(env.bucket());
    assertThat(onDisk).isDirectory();

    PROVIDER.deprovision(env.resource());
    assertThat(bucketExists(env.bucket())).isFalse();
    assertThat(onDisk).doesNotExist();
    assertThat(Curl.get(sign(env, Map.of("method", "GET", "key", "a.txt")).url()).status())
        .isEqualTo(404);

    PROVIDER.deprovision(env.resource()); // already gone: no error
  }

  @Test
  void configIsValidatedNamingTheField() {
    assertThat(PROVIDER.validateConfig(Map.of()))
        .containsEntry("maxObjectBytes", StorageConfig.DEFAULT_MAX_OBJECT_BYTES);
    assertThat(PROVIDER.validateConfig(Map.of("maxObjectBytes", 1024)))
        .containsEntry("maxObjectBytes", 1024L);
    assertThatThrownBy(() -> PROVIDER.validateConfig(Map.of("maxObjectBytes", "big")))
        .isInstanceOf(InvalidConfigException.class)
        .extracting("field")
        .isEqualTo("config.maxObjectBytes");
    assertThatThrownBy(() -> PROVIDER.validateConfig(Map.of("maxObjectBytes", 0)))
        .hasMessageContaining("between");
    assertThatThrownBy(() -> PROVIDER.validateConfig(Map.of("maxObjectBytes", 6L << 30)))
        .hasMessageContaining("between");
    assertThatThrownBy(() -> PROVIDER.validateConfig(Map.of("public", true)))
        .extracting("field")
        .isEqualTo("config.public");
  }

  @Test
  void bucketNamesAreDnsSafeAndComeFromTheResourceIdOnly() {
    assertThat(BucketNames.forResource("miosa-", "res_abcdefghij0123456789"))
        .isEqualTo("miosa-abcdefghij0123456789");
    assertThat(BucketNames.forResource("", "res_abcdefghij0123456789"))
        .isEqualTo("abcdefghij0123456789");
    assertThatThrownBy(() -> BucketNames.forResource("miosa-", "res_ABC/../x"))
        .isInstanceOf(IllegalArgumentException.class);
    for (String bad :
        List.of(
            "ab",
            "a".repeat(64),
            "-abc",
            "abc-",
            "Abc",
            "a_b",
            "192.168.1.1",
            "xn--abc",
            "abc-s3alias")) {
      assertThatThrownBy(() -> BucketNames.requireValid(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(BucketNames.requireValid("abc")).isEqualTo("abc");
    assertThat(BucketNames.requireValid("a".repeat(63))).hasSize(63);
    assertThatThrownBy(() -> BucketNames.requireValidPrefix("Bad_"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BucketNames.requireValidPrefix("a".repeat(21)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
