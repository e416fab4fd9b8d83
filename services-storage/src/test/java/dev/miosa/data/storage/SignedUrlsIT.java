package dev.miosa.data.storage;

import static dev.miosa.data.storage.StorageFixture.admin;
import static dev.miosa.data.storage.StorageFixture.provision;
import static dev.miosa.data.storage.StorageFixture.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed URLs used with curl only, as a browser would: no SDK and no key on the client side. The
 * store is reached at {@code localhost} by the "browser" while the control plane uses {@code
 * 127.0.0.1}.
 */
class SignedUrlsIT {

  static StorageFixture.Env env;
  static StorageFixture.Env other;

  @TempDir Path dir;

  @BeforeAll
  static void buckets() {
    env = provision();
    other = provision("prj_b", Map.of());
  }

  Path file(String name, byte[] content) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, content);
    return f;
  }

  static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  /** Uploads through a signed PUT without content type or length, returns the key. */
  static void upload(StorageFixture.Env e, String key, Path file) throws Exception {
    var put = sign(e, Map.of("method", "PUT", "key", key, "contentLength", Files.size(file)));
    assertThat(Curl.put(put.url(), file).status()).isEqualTo(200);
  }

  @Test
  void signedPutUploadsFiveMebibytesAndSignedGetReturnsTheSameBytes() throws Exception {
    byte[] content = random(5 * 1024 * 1024);
    Path f = file("big.bin", content);
    var put =
        sign(
            env,
            Map.of(
                "method",
                "PUT",
                "key",
                "uploads/big.bin",
                "contentType",
                "application/pdf",
                "contentLength",
                content.length));
    assertThat(URI.create(put.url()).getHost()).isEqualTo("localhost");
    assertThat(put.headers())
        .containsEntry("Content-Type", "application/pdf")
        .containsEntry("Content-Length", "5242880");
    assertThat(put.url()).doesNotContain(StorageFixture.STORE.secretKey().reveal());

    assertThat(Curl.put(put.url(), f, "Content-Type: application/pdf").status()).isEqualTo(200);

    var get = sign(env, Map.of("method", "GET", "key", "uploads/big.bin"));
    var reply = Curl.get(get.url());
    assertThat(reply.status()).isEqualTo(200);
    assertThat(MessageDigest.isEqual(reply.body(), content))
        .as("downloaded bytes equal uploaded ones")
        .isTrue();
  }

  @Test
  void aUrlSignedForThePublicHostFailsOnTheInternalOne() throws Exception {
    Path f = file("host.txt", "host".getBytes(StandardCharsets.UTF_8));
    var put = sign(env, Map.of("method", "PUT", "key", "host.txt", "contentLength", 4));
    String internal = put.url().replace("//localhost:", "//127.0.0.1:");
    assertThat(Curl.put(internal, f).status()).isEqualTo(403);
    assertThat(Curl.put(put.url(), f).status()).isEqualTo(200);
  }

  @Test
  void formUploadsAreRefusedOnAStoreThatDoesNotEnforceTheirPolicy() throws Exception {
    // Why: S3Proxy checks a form's signature only, and every bucket shares the store's identity,
    // so a form signed for one environment would write into another's bucket.
    var probe =
        new FormUploadProbe(Clock.systemUTC())
            .probe(StorageFixture.BACKENDS.get(StorageFixture.BACKEND));
    assertThat(probe.valid()).as("a correct form is accepted").isTrue();
    assertThat(probe.otherBucket()).as("a policy naming another bucket is accepted").isTrue();
    assertThat(probe.enforced()).isFalse();
    String canary = StorageFixture.SERVER.bucketPrefix() + FormUploadProbe.CANARY;
    assertThat(admin().listObjects(ListObjectsArgs.builder().bucket(canary).build()))
        .as("the probe leaves nothing behind")
        .isEmpty();

    var capped = provision("prj_a", Map.of("maxObjectBytes", 1024));
    assertThatThrownBy(
            () ->
                sign(
                    capped,
                    Map.of(
                        "method", "POST", "key", "forms/hello.txt", "contentType", "text/plain")))
        .isInstanceOf(MiosaException.class)
        .hasMessageContaining("does not enforce")
        .hasMessageContaining("sign a PUT")
        .extracting(e -> ((MiosaException) e).code())
        .isEqualTo(ErrorCode.FORM_UPLOADS_UNSUPPORTED);
    assertThat(
            StorageFixture.SIGNER.formUploads(StorageFixture.BACKENDS.get(StorageFixture.BACKEND)))
        .as("decided once and remembered")
        .isFalse();
  }

  @Test
  void theCapIsEnforcedByTheStoreThroughTheSignedLength() throws Exception {
    var capped = provision("prj_a", Map.of("maxObjectBytes", 1024));
    assertThatThrownBy(
            () -> sign(capped, Map.of("method", "PUT", "key", "big", "contentLength", 1025)))
        .isInstanceOf(MiosaException.class)
        .hasMessageContaining("contentLength")
        .hasMessageContaining("1024");
    var put = sign(capped, Map.of("method", "PUT", "key", "exact", "contentLength", 1024));
    assertThat(Curl.put(put.url(), file("over", random(1025))).status()).isEqualTo(403);
    assertThat(Curl.put(put.url(), file("under", random(1000))).status()).isEqualTo(403);
    assertThat(Curl.put(put.url(), file("exact", random(1024))).status()).isEqualTo(200);
  }

  @Test
  void aPutWithoutContentLengthIsRefusedSoNothingOverTheCapLands() throws Exception {
    var capped = provision("prj_a", Map.of("maxObjectBytes", 1024));
    Path big = file("five-kb.bin", random(5 * 1024));
    assertThatThrownBy(() -> sign(capped, Map.of("method", "PUT", "key", "unbounded.bin")))
        .isInstanceOf(MiosaException.class)
        .extracting(e -> ((MiosaException) e).errors().get(0).field())
        .isEqualTo("contentLength");
    var bounded =
        sign(capped, Map.of("method", "PUT", "key", "unbounded.bin", "contentLength", 1024));
    assertThat(Curl.put(bounded.url(), big).status()).isEqualTo(403);
    var get = sign(capped, Map.of("method", "GET", "key", "unbounded.bin"));
    assertThat(Curl.get(get.url()).status()).as("nothing landed").isEqualTo(404);
  }

  @Test
  void anExpiredUrlGets403() throws Exception {
    upload(env, "expiring.txt", file("expiring.txt", "soon gone".getBytes(StandardCharsets.UTF_8)));
    var get = sign(env, Map.of("method", "GET", "key", "expiring.txt", "expiresInSeconds", 1));
    assertThat(get.expiresAt()).isBefore(Instant.now().plusSeconds(2));
    while (!Instant.now().isAfter(get.expiresAt().plusSeconds(1))) {
      Thread.sleep(200);
    }
    var reply = Curl.get(get.url());
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.text()).doesNotContain("soon gone");
  }

  @Test
  void aUrlWithAnyPartChangedGets403AndWorksOnNoOtherBucketOrKey() throws Exception {
    Path f = file("part.txt", "original".getBytes(StandardCharsets.UTF_8));
    upload(env, "part.txt", f);
    upload(env, "other.txt", f);
    upload(other, "part.txt", f);
    String url =
        sign(env, Map.of("method", "GET", "key", "part.txt", "expiresInSeconds", 600)).url();
    assertThat(Curl.get(url).status()).isEqualTo(200);

    assertThat(Curl.get(url.replace("/part.txt?", "/other.txt?")).status())
        .as("key changed")
        .isEqualTo(403);
    assertThat(Curl.get(url.replace("X-Amz-Expires=600", "X-Amz-Expires=6000")).status())
        .as("expiry changed")
        .isEqualTo(403);
    assertThat(Curl.get(url.replace("/" + env.bucket() + "/", "/" + other.bucket() + "/")).status())
        .as("bucket changed")
        .isEqualTo(403);
    String signature = url.substring(url.indexOf("X-Amz-Signature=") + 16);
    String flipped = (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1);
    assertThat(Curl.get(url.replace(signature, flipped)).status())
        .as("signature changed")
        .isEqualTo(403);
    assertThat(Curl.run("-X", "DELETE", url).status()).as("method changed").isEqualTo(403);

    // A PUT or DELETE signed for env's bucket and key works on no other bucket or key.
    Path evil = file("evil.txt", "evil....".getBytes(StandardCharsets.UTF_8));
    String put = sign(env, Map.of("method", "PUT", "key", "part.txt", "contentLength", 8)).url();
    String delete = sign(env, Map.of("method", "DELETE", "key", "part.txt")).url();
    String envBucket = "/" + env.bucket() + "/";
    String otherBucket = "/" + other.bucket() + "/";
    assertThat(Curl.put(put.replace(envBucket, otherBucket), evil).status())
        .as("PUT, bucket changed")
        .isEqualTo(403);
    assertThat(Curl.put(put.replace("/part.txt?", "/other.txt?"), evil).status())
        .as("PUT, key changed")
        .isEqualTo(403);
    assertThat(Curl.run("-X", "DELETE", delete.replace(envBucket, otherBucket)).status())
        .as("DELETE, bucket changed")
        .isEqualTo(403);
    assertThat(Curl.run("-X", "DELETE", delete.replace("/part.txt?", "/other.txt?")).status())
        .as("DELETE, key changed")
        .isEqualTo(403);
    for (var e : List.of(env, other)) {
      assertThat(Curl.get(sign(e, Map.of("method", "GET", "key", "part.txt")).url()).text())
          .isEqualTo("original");
    }
    assertThat(Curl.get(sign(env, Map.of("method", "GET", "key", "other.txt")).url()).text())
        .isEqualTo("original");
  }

  @Test
  void unsignedRequestsGetNoObject() throws Exception {
    Path f = file("private.txt", "secret-content".getBytes(StandardCharsets.UTF_8));
    upload(env, "private.txt", f);
    String plain = StorageFixture.SERVER.publicEndpoint() + "/" + env.bucket() + "/private.txt";
    var get = Curl.get(plain);
    assertThat(get.status()).isIn(403, 404);
    assertThat(get.text()).doesNotContain("secret-content");
    assertThat(Curl.get(StorageFixture.SERVER.publicEndpoint() + "/" + env.bucket()).status())
        .as("listing")
        .isIn(403, 404);
    assertThat(Curl.put(plain, file("evil.txt", "evil".getBytes(StandardCharsets.UTF_8))).status())
        .isEqualTo(403);
    assertThat(Curl.run("-X", "DELETE", plain).status()).isEqualTo(403);
    assertThat(Curl.get(sign(env, Map.of("method", "GET", "key", "private.txt")).url()).text())
        .isEqualTo("secret-content");
  }

  @Test
  void anUploadWithAnotherContentTypeOrLengthThanSignedGets403() throws Exception {
    byte[] content = "eleven byte".getBytes(StandardCharsets.UTF_8);
    Path f = file("typed.txt", content);
    var put =
        sign(
            env,
            Map.of(
                "method",
                "PUT",
                "key",
                "typed.txt",
                "contentType",
                "text/plain",
                "contentLength",
                content.length));
    assertThat(Curl.put(put.url(), f, "Content-Type: text/html").status())
        .as("other type")
        .isEqualTo(403);
    assertThat(Curl.put(put.url(), f).status()).as("no type").isEqualTo(403);
    assertThat(
            Curl.put(
                    put.url(),
                    file("longer.txt", "twelve bytes".getBytes(StandardCharsets.UTF_8)),
                    "Content-Type: text/plain")
                .status())
        .as("other length")
        .isEqualTo(403);
    assertThat(Curl.put(put.url(), f, "Content-Type: text/plain").status()).isEqualTo(200);
  }

  @Test
  void keysWithSpacesPlusPercentHashUnicodeAndSlashesRoundTrip() throws Exception {
    List<String> keys =
        List.of(
            "a b.txt",
            "x+y.txt",
            "ü/ñ.txt",
            "100%.txt",
            "#tag?.txt",
            "dir/sub dir/file (1)&x=y.txt",
            "emoji 😀'\".txt");
    var keyed = provision("prj_a", Map.of());
    for (String key : keys) {
      byte[] content = key.getBytes(StandardCharsets.UTF_8);
      var put =
          sign(
              keyed,
              Map.of(
                  "method",
                  "PUT",
                  "key",
                  key,
                  "contentType",
                  "Text/Plain;charset=utf-8",
                  "contentLength",
                  content.length));
      assertThat(put.headers()).containsEntry("Content-Type", "text/plain; charset=UTF-8");
      assertThat(
              Curl.put(
                      put.url(),
                      file("k", content),
                      "Content-Type: " + put.headers().get("Content-Type"))
                  .status())
          .as(key)
          .isEqualTo(200);
      var get = Curl.get(sign(keyed, Map.of("method", "GET", "key", key)).url());
      assertThat(get.status()).as(key).isEqualTo(200);
      assertThat(get.text()).as(key).isEqualTo(key);
    }
    List<String> stored = new ArrayList<>();
    for (Result<Item> r :
        admin()
            .listObjects(
                ListObjectsArgs.builder().bucket(keyed.bucket()).recursive(true).build())) {
      stored.add(r.get().objectName());
    }
    assertThat(stored)
        .as("stored under the exact keys, never double-encoded")
        .containsExactlyInAnyOrderElementsOf(keys);
  }

  @Test
  void aSignedDeleteRemovesOneObject() throws Exception {
    Path f = file("gone.txt", "x".getBytes(StandardCharsets.UTF_8));
    upload(env, "gone.txt", f);
    upload(env, "kept.txt", f);
    var delete = sign(env, Map.of("method", "DELETE", "key", "gone.txt"));
    assertThat(Curl.run("-X", "DELETE", delete.url()).status()).isEqualTo(204);
    assertThat(Curl.get(sign(env, Map.of("method", "GET", "key", "gone.txt")).url()).status())
        .isEqualTo(404);
    assertThat(Curl.get(sign(env, Map.of("method", "GET", "key", "kept.txt")).url()).status())
        .isEqualTo(200);
  }

  @Test
  void signingNeverContactsTheStore() {
    int closed = LocalProcesses.freePort();
    var offline =
        new StorageServer(
            "offline",
            URI.create("http://127.0.0.1:" + closed),
            URI.create("https://files.example.test"),
            LocalS3Proxy.REGION,
            "AK",
            StorageFixture.STORE.secretKey(),
            "t-");
    try (var clients = new StorageClients(offline)) {
      var signer = new ObjectSigner(Clock.systemUTC(), new ContentUploads());
      for (String method : List.of("PUT", "GET", "DELETE")) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("method", method, "key", "k"));
        if (method.equals("PUT")) {
          body.put("contentLength", 10);
        }
        var out =
            (SignOutcome.Signed)
                signer.sign(
                    clients, "t-bucket", SignRequest.parse(StorageFixture.request(body), 100), 100);
        assertThat(out.url()).startsWith("https://files.example.test/t-bucket");
      }
    }
  }

  @Test
  void expiryIsOneSecondToSevenDaysDefaultFifteenMinutes() {
    Instant before = Instant.now();
    var dflt = sign(env, Map.of("method", "GET", "key", "k"));
    assertThat(Duration.between(before, dflt.expiresAt()).toSeconds()).isBetween(898L, 900L);
    assertThat(dflt.url()).contains("X-Amz-Expires=900");
    assertThat(sign(env, Map.of("method", "GET", "key", "k", "expiresInSeconds", 604800)).url())
        .contains("X-Amz-Expires=604800");
    for (Object bad : List.of(0, -1, 604801)) {
      assertThatThrownBy(
              () -> sign(env, Map.of("method", "GET", "key", "k", "expiresInSeconds", bad)))
          .as(String.valueOf(bad))
          .isInstanceOf(MiosaException.class)
          .extracting(e -> ((MiosaException) e).errors().get(0).field())
          .isEqualTo("expiresInSeconds");
    }
  }

  @Test
  void badKeysAreRefusedWithAClearMessage() {
    Map<String, String> cases =
        Map.of(
            "",
            "must not be empty",
            "x".repeat(1025),
            "at most 1024 bytes",
            "é".repeat(513),
            "at most 1024 bytes",
            "a\u0000b",
            "control characters",
            "line\nbreak",
            "control characters",
            "tab\tkey",
            "control characters",
            "del\u007f",
            "control characters",
            "a//b",
            "empty segment",
            "a/../b",
            "'..'",
            "/lead",
            "start or end");
    cases.forEach(
        (key, message) ->
            assertThatThrownBy(() -> sign(env, Map.of("method", "PUT", "key", key)))
                .as(key.length() > 20 ? key.substring(0, 20) + "..." : key)
                .isInstanceOf(MiosaException.class)
                .hasMessageStartingWith("key: ")
                .hasMessageContaining(message));
    assertThat(
            sign(env, Map.of("method", "PUT", "key", "x".repeat(1024), "contentLength", 1)).url())
        .contains("xxxx");
    assertThatThrownBy(() -> sign(env, Map.of("method", "GET")))
        .hasMessage("key: must not be empty");
  }
}
