package dev.miosa.data.storage;

import static dev.miosa.data.storage.StorageFixture.admin;
import static dev.miosa.data.storage.StorageFixture.provision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.minio.ListObjectsArgs;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads addressed by their SHA-256: deduplicated, and verified by the control plane. */
class ContentAddressingIT {

  @TempDir Path dir;

  static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  static List<String> keys(StorageFixture.Env env) throws Exception {
    List<String> out = new ArrayList<>();
    for (Result<Item> r :
        admin()
            .listObjects(ListObjectsArgs.builder().bucket(env.bucket()).recursive(true).build())) {
      out.add(r.get().objectName());
    }
    return out;
  }

  /** Signs a content-addressed upload declaring {@code hash} and uploads {@code body} to it. */
  SignOutcome.Signed uploadByContent(StorageFixture.Env env, String hash, byte[] body)
      throws Exception {
    var put =
        (SignOutcome.Signed)
            StorageFixture.sign(
                env.target(),
                Map.of("method", "PUT", "contentSha256", hash, "contentLength", body.length));
    assertThat(Curl.put(put.url(), file(body)).status()).isEqualTo(200);
    return put;
  }

  Path file(byte[] content) throws Exception {
    return Files.write(Files.createTempFile(dir, "body", ".bin"), content);
  }

  @Test
  void theSameContentUploadedTwiceIsStoredOnce() throws Exception {
    var env = provision();
    byte[] content = "the same bytes, twice".getBytes(StandardCharsets.UTF_8);
    String hash = sha256(content);

    var first =
        (SignOutcome.Signed)
            StorageFixture.sign(
                env.target(),
                Map.of(
                    "method",
                    "PUT",
                    "contentSha256",
                    hash,
                    "contentType",
                    "text/plain",
                    "contentLength",
                    content.length));
    assertThat(first.key()).isEqualTo("sha256/" + hash);
    assertThat(first.uploadKey()).startsWith(".uploads/" + hash + "/");
    assertThat(Curl.put(first.url(), file(content), "Content-Type: text/plain").status())
        .isEqualTo(200);
    var done = StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", first.uploadKey()));
    assertThat(done)
        .isEqualTo(new ContentUploads.Finalized("sha256/" + hash, hash, content.length, false));

    var second =
        StorageFixture.sign(
            env.target(),
            Map.of("method", "PUT", "contentSha256", hash.toUpperCase(), "contentLength", 21));
    assertThat(second)
        .isEqualTo(new SignOutcome.AlreadyStored("sha256/" + hash, hash, content.length));
    assertThat(keys(env)).containsExactly("sha256/" + hash);

    var get =
        Curl.get(
            ((SignOutcome.Signed)
                    StorageFixture.sign(
                        env.target(), Map.of("method", "GET", "key", "sha256/" + hash)))
                .url());
    assertThat(get.text()).isEqualTo("the same bytes, twice");

    // Two uploads racing for the same content: the second finalize finds it stored.
    Map<String, Object> race =
        Map.of("method", "PUT", "contentSha256", sha256("race".getBytes()), "contentLength", 4);
    var a = (SignOutcome.Signed) StorageFixture.sign(env.target(), race);
    var b = (SignOutcome.Signed) StorageFixture.sign(env.target(), race);
    assertThat(Curl.put(a.url(), file("race".getBytes())).status()).isEqualTo(200);
    assertThat(Curl.put(b.url(), file("race".getBytes())).status()).isEqualTo(200);
    assertThat(
            StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", a.uploadKey()))
                .deduplicated())
        .isFalse();
    assertThat(
            StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", b.uploadKey()))
                .deduplicated())
        .isTrue();
    assertThat(keys(env))
        .containsExactlyInAnyOrder("sha256/" + hash, "sha256/" + sha256("race".getBytes()));
  }

  @Test
  void aBodyNotMatchingItsDeclaredHashIsNeverFoundUnderTheHashKey() throws Exception {
    var env = provision();
    String declared = sha256("what I said".getBytes(StandardCharsets.UTF_8));
    var put =
        (SignOutcome.Signed)
            StorageFixture.sign(
                env.target(),
                Map.of("method", "PUT", "contentSha256", declared, "contentLength", 11));
    assertThat(Curl.put(put.url(), file("what I sent".getBytes(StandardCharsets.UTF_8))).status())
        .as("the store accepts the body: the check is ours")
        .isEqualTo(200);

    assertThatThrownBy(
            () -> StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", put.uploadKey())))
        .isInstanceOf(MiosaException.class)
        .extracting(e -> ((MiosaException) e).code())
        .isEqualTo(ErrorCode.CONTENT_HASH_MISMATCH);
    assertThat(keys(env)).as("neither the hash key nor the upload remain").isEmpty();
    var get =
        ((SignOutcome.Signed)
                StorageFixture.sign(
                    env.target(), Map.of("method", "GET", "key", "sha256/" + declared)))
            .url();
    assertThat(Curl.get(get).status()).isEqualTo(404);
    assertThat(
            StorageFixture.sign(
                env.target(),
                Map.of("method", "PUT", "contentSha256", declared, "contentLength", 11)))
        .isInstanceOf(SignOutcome.Signed.class);

    assertThatThrownBy(
            () -> StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", put.uploadKey())))
        .extracting(e -> ((MiosaException) e).code())
        .isEqualTo(ErrorCode.UPLOAD_NOT_FOUND);
  }

  @Test
  void aContentAddressedUploadOverTheCapIsRefusedAtSigningAndDeletedAtFinalize() throws Exception {
    var env = provision("prj_a", Map.of("maxObjectBytes", 16));
    byte[] big = new byte[17];
    assertThatThrownBy(
            () ->
                StorageFixture.sign(
                    env.target(),
                    Map.of("method", "PUT", "contentSha256", sha256(big), "contentLength", 17)))
        .hasMessageStartingWith("contentLength:");
    // A POST form's policy carries the cap but the store may not enforce it: finalize checks.
    String uploadKey = ".uploads/" + sha256(big) + "/abcdefgh12345678abcd";
    admin()
        .putObject(
            PutObjectArgs.builder().bucket(env.bucket()).object(uploadKey).stream(
                    new ByteArrayInputStream(big), big.length, -1)
                .build());
    assertThatThrownBy(
            () -> StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", uploadKey)))
        .extracting(e -> ((MiosaException) e).code())
        .isEqualTo(ErrorCode.OBJECT_TOO_LARGE);
    assertThat(keys(env)).isEmpty();
  }

  @Test
  void uploadsNeverFinalizedAreDeletedAfterTheWindowAndNothingElseIs() throws Exception {
    var env = provision();
    byte[] good = "finalized".getBytes(StandardCharsets.UTF_8);
    var placed = uploadByContent(env, sha256(good), good);
    StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", placed.uploadKey()));
    var plain =
        (SignOutcome.Signed)
            StorageFixture.sign(
                env.target(), Map.of("method", "PUT", "key", "plain.txt", "contentLength", 9));
    assertThat(Curl.put(plain.url(), file(good)).status()).isEqualTo(200);
    // A body that does not match its declared hash, never finalized.
    var abandoned =
        uploadByContent(
            env,
            sha256("declared".getBytes(StandardCharsets.UTF_8)),
            "not what was declared".getBytes(StandardCharsets.UTF_8));

    Duration window = AbandonedUploads.DEFAULT_TTL;
    var withinWindow =
        new AbandonedUploads(
            () -> List.of(env.target()),
            StorageFixture.BACKENDS,
            StorageFixture.CONTENT,
            window,
            Clock.systemUTC());
    assertThat(withinWindow.sweep()).isZero();
    assertThat(keys(env)).contains(abandoned.uploadKey());

    var afterWindow =
        new AbandonedUploads(
            () -> List.of(env.target()),
            StorageFixture.BACKENDS,
            StorageFixture.CONTENT,
            window,
            Clock.offset(Clock.systemUTC(), window.plusMinutes(1)));
    assertThat(afterWindow.sweep()).isEqualTo(1);
    assertThat(keys(env)).containsExactlyInAnyOrder("sha256/" + sha256(good), "plain.txt");
  }

  @Test
  void onlyFinalizeWritesUnderTheControlPlanesPrefixes() {
    var env = provision();
    String hash = "0".repeat(64);
    for (String key : List.of("sha256/" + hash, ".uploads/" + hash + "/abcdefgh12345678abcd")) {
      for (String method : List.of("PUT", "POST")) {
        assertThatThrownBy(
                () -> StorageFixture.sign(env.target(), Map.of("method", method, "key", key)))
            .hasMessageContaining("written by the control plane only");
      }
    }
    assertThatThrownBy(
            () ->
                StorageFixture.sign(
                    env.target(), Map.of("method", "PUT", "key", "k", "contentSha256", hash)))
        .hasMessageStartingWith("key: must be omitted");
    assertThatThrownBy(
            () ->
                StorageFixture.sign(env.target(), Map.of("method", "PUT", "contentSha256", "abc")))
        .hasMessageStartingWith("contentSha256:");
    assertThatThrownBy(
            () ->
                StorageFixture.finalizeUpload(env.target(), Map.of("uploadKey", "avatars/u1.png")))
        .hasMessageStartingWith("uploadKey:");
  }
}
