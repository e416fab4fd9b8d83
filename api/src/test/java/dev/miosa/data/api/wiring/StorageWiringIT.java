package dev.miosa.data.api.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.StorageProperties;
import dev.miosa.data.local.TestServers;
import io.minio.MinioClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The storage wiring's choice of store: the embedded S3Proxy, or the configured one. */
class StorageWiringIT {

  @Test
  void withoutSettingsTheEmbeddedDefaultStartsS3ProxyUnderTheDataDirectory() throws Exception {
    Path dataDir = Files.createTempDirectory("miosa-wiring");
    var embedded = new EmbeddedServers(dataDir);
    try {
      var server =
          StorageWiring.server(
              new StorageProperties(null, null, null, null, "us-east-1", "miosa-", null), embedded);
      assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
      assertThat(server.publicEndpoint()).isEqualTo(server.endpoint());
      var client =
          MinioClient.builder()
              .endpoint(server.endpoint().toString())
              .region(server.region())
              .credentials(server.accessKey(), server.secretKey().reveal())
              .build();
      client.makeBucket(io.minio.MakeBucketArgs.builder().bucket("miosa-wiring").build());
      assertThat(dataDir.resolve("s3proxy/objects/miosa-wiring")).isDirectory();
      assertThat(dataDir.resolve("s3proxy/credentials")).isRegularFile();
    } finally {
      embedded.destroy();
      TestServers.deleteQuietly(dataDir);
    }
  }

  @Test
  void aConfiguredStoreNeedsItsKeysAndAValidUrl() {
    var embedded = new EmbeddedServers(Path.of("unused"));
    assertThatThrownBy(
            () ->
                StorageWiring.server(
                    new StorageProperties(
                        "http://minio:9000", null, null, null, "us-east-1", "miosa-", null),
                    embedded))
        .hasMessageContaining("MIOSA_STORAGE_ACCESS_KEY");
    assertThatThrownBy(
            () ->
                StorageWiring.server(
                    new StorageProperties(
                        "minio:9000/x", null, "a", "b", "us-east-1", "miosa-", null),
                    embedded))
        .hasMessageContaining("MIOSA_STORAGE_URL");
    var server =
        StorageWiring.server(
            new StorageProperties(
                "http://minio:9000",
                "https://files.example.com",
                "ak",
                "sk",
                "eu-west-1",
                "acme-",
                null),
            embedded);
    assertThat(server.publicEndpoint().toString()).isEqualTo("https://files.example.com");
    assertThat(server.region()).isEqualTo("eu-west-1");
    assertThat(server.toString()).doesNotContain("sk");
    assertThat(
            new StorageProperties(
                    "http://minio:9000", null, "ak", "secret-value", "us-east-1", "m-", null)
                .toString())
        .doesNotContain("secret-value");
  }
}
