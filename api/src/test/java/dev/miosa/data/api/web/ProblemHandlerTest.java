package dev.miosa.data.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.Holder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** The one mapping of error codes to problem details, without a server. */
class ProblemHandlerTest {

  @Test
  void storageAndVolumeCodesKeepTheirNamesStatusesAndTypes() {
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(ProblemHandler.status(ErrorCode.UPLOAD_NOT_FOUND).value()).isEqualTo(404);
    soft.assertThat(ProblemHandler.status(ErrorCode.UPLOAD_CHANGED).value()).isEqualTo(409);
    soft.assertThat(ProblemHandler.status(ErrorCode.CONTENT_HASH_MISMATCH).value()).isEqualTo(422);
    soft.assertThat(ProblemHandler.status(ErrorCode.OBJECT_TOO_LARGE).value()).isEqualTo(422);
    soft.assertThat(ProblemHandler.status(ErrorCode.BACKEND_UNAVAILABLE).value()).isEqualTo(503);
    soft.assertThat(ProblemHandler.status(ErrorCode.VOLUME_ATTACHED).value()).isEqualTo(409);
    soft.assertThat(ProblemHandler.status(ErrorCode.LEASE_LOST).value()).isEqualTo(409);
    soft.assertThat(ProblemHandler.status(ErrorCode.ATTACHMENT_NOT_FOUND).value()).isEqualTo(404);
    soft.assertThat(ProblemHandler.status(ErrorCode.SNAPSHOT_NOT_READY).value()).isEqualTo(409);
    soft.assertThat(ProblemHandler.status(ErrorCode.IDEMPOTENCY_KEY_REUSED).value()).isEqualTo(422);
    soft.assertThat(ProblemHandler.status(ErrorCode.PAYLOAD_TOO_LARGE).value()).isEqualTo(413);
    soft.assertThat(ErrorCode.CONTENT_HASH_MISMATCH.typeUri())
        .isEqualTo("https://miosa.dev/problems/content-hash-mismatch");
    soft.assertThat(ErrorCode.PROJECT_NOT_FOUND.typeUri())
        .isEqualTo("https://miosa.dev/problems/project-not-found");
    soft.assertAll();
  }

  @Test
  void aVolumeRefusalListsItsHolders() {
    Holder holder = new Holder(Holder.INSTANCE, "vm-1", "production", Instant.EPOCH);
    var res =
        ProblemHandler.problem(
            Holder.refusal(ErrorCode.VOLUME_ATTACHED, "held by vm-1", List.of(holder)));
    assertThat(res.getStatusCode().value()).isEqualTo(409);
    assertThat(res.getBody().getProperties())
        .containsEntry("code", "VOLUME_ATTACHED")
        .containsEntry("holders", List.of(holder));
    assertThat(res.getBody().getType().toString())
        .isEqualTo("https://miosa.dev/problems/volume-attached");
  }

  @Test
  void unauthorizedAsksForBearerAndUnavailableAndRateLimitedSayWhenToRetry() {
    assertThat(ProblemHandler.headers(ErrorCode.UNAUTHORIZED, null).getFirst("WWW-Authenticate"))
        .isEqualTo("Bearer");
    assertThat(
            ProblemHandler.headers(ErrorCode.BACKEND_UNAVAILABLE, null)
                .getFirst(HttpHeaders.RETRY_AFTER))
        .isEqualTo("5");
    var limited =
        ProblemHandler.problem(
            new MiosaException(
                ErrorCode.RATE_LIMITED,
                "slow down",
                List.of(),
                java.util.Map.of(),
                Duration.ofSeconds(30),
                null));
    assertThat(limited.getStatusCode().value()).isEqualTo(429);
    assertThat(limited.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("30");
    assertThat(ProblemHandler.headers(ErrorCode.NOT_FOUND, null).containsHeader("Retry-After"))
        .isFalse();
  }

  @Test
  void theBodyForWritersOutsideMvcHasTheSameMembers() {
    var body =
        ProblemHandler.body(
            ErrorCode.UNAUTHORIZED, "a token is required", List.of(new FieldError("a", "b")));
    assertThat(body.keySet())
        .containsExactly("type", "title", "status", "detail", "code", "errors");
    assertThat(body).containsEntry("status", 401).containsEntry("code", "UNAUTHORIZED");
  }

  @Test
  void invalidInputNamesEveryFieldInOneDetail() {
    MiosaException e =
        ProblemHandler.invalid(
            List.of(new FieldError("slug", "is required"), new FieldError("name", "bad")));
    assertThat(e.errors()).extracting(FieldError::field).containsExactly("name", "slug");
    assertThat(e.getMessage()).isEqualTo("invalid request: name bad; slug is required");
  }
}
