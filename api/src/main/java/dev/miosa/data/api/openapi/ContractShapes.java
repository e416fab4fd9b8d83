package dev.miosa.data.api.openapi;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.volumes.Holder;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * JSON shapes the OpenAPI document names but no handler signature shows: bodies that handlers read
 * as maps or straight from the request, and answers they build as maps. {@link OpenApiConfig} puts
 * each in {@code components/schemas} under the record's name and uses it only where springdoc
 * inferred nothing better, so a handler that takes or returns a record wins over the shape here.
 */
final class ContractShapes {

  private ContractShapes() {}

  /** RFC 9457 problem details as the API answers every refused request. */
  @Schema(name = "Problem", description = "RFC 9457 problem details (application/problem+json).")
  record Problem(
      @Schema(
              requiredMode = REQUIRED,
              description = "URI naming the kind of problem",
              example = "https://miosa.dev/problems/invalid-request")
          String type,
      @Schema(requiredMode = REQUIRED, description = "short summary of the kind of problem")
          String title,
      @Schema(requiredMode = REQUIRED, description = "the HTTP status", example = "400") int status,
      @Schema(description = "what went wrong with this request") String detail,
      @Schema(
              requiredMode = REQUIRED,
              description = "stable machine-readable error code",
              example = "INVALID_REQUEST")
          String code,
      @Schema(description = "the invalid fields, for invalid input") List<FieldError> errors,
      @Schema(description = "of a refused volume request: who holds the volume")
          List<Holder> holders) {}

  /** An error of the auth realm API, as GoTrue writes it (the fields depend on the API version). */
  @Schema(
      name = "GoTrueError",
      description =
          "GoTrue error: {code, message} with X-Supabase-Api-Version 2024-01-01, else {code,"
              + " error_code, msg}; {error, error_description} for OAuth-style refusals.")
  record GoTrueError(
      @Schema(description = "error code (a string), or the HTTP status on older API versions")
          Object code,
      String message,
      String error_code,
      String msg,
      String error,
      String error_description,
      Map<String, Object> weak_password) {}

  // ---- request bodies --------------------------------------------------------------------------

  /** Body of {@code POST /v1/projects}. */
  record CreateProjectRequest(
      @Schema(
              requiredMode = REQUIRED,
              pattern = "^[a-z][a-z0-9-]{1,38}[a-z0-9]$",
              example = "acme-shop")
          String slug,
      @Schema(description = "1 to 200 printable characters; defaults to the slug") String name) {}

  /** Body of {@code POST /v1/projects/{project}/environments}. */
  record CreateEnvironmentRequest(
      @Schema(requiredMode = REQUIRED, pattern = "^[a-z][a-z0-9-]{0,31}$", example = "preview-42")
          String name) {}

  /** Body of {@code POST /v1/projects/{project}/services}. */
  record AttachServiceRequest(
      @Schema(
              requiredMode = REQUIRED,
              allowableValues = {"postgres", "storage", "redis", "auth", "volume"})
          String type,
      @Schema(pattern = "^[a-z][a-z0-9-]{0,31}$", defaultValue = "main") String name,
      @Schema(description = "the plan: settings of the data service's type")
          Map<String, Object> config) {}

  /** Body of {@code POST .../environments/{env}/runtime-tokens}. */
  record MintRuntimeTokenRequest(
      @Schema(
              description = "the instance the token is for",
              pattern = dev.miosa.data.volumes.VolumeAttachments.INSTANCE_ID_REGEX,
              example = "sbx-1")
          String instanceId,
      @Schema(description = "lifetime; at least 60, at most the configured maximum")
          Long ttlSeconds) {}

  /** Body naming the environment a volume or backup request is about. */
  record EnvironmentRequest(
      @Schema(requiredMode = REQUIRED, example = "production") String environment) {}

  /** Body of {@code POST .../attachments}. */
  record AttachVolumeRequest(
      @Schema(requiredMode = REQUIRED, example = "production") String environment,
      @Schema(requiredMode = REQUIRED, example = "vm-1") String instanceId) {}

  /** Body of {@code POST .../resize}. */
  record ResizeVolumeRequest(
      @Schema(requiredMode = REQUIRED, example = "production") String environment,
      @Schema(requiredMode = REQUIRED, description = "the new size; only growing is allowed")
          Integer sizeGiB) {}

  /** Body of {@code POST .../backups/{backupId}/restore}. */
  record RestoreBackupRequest(
      @Schema(requiredMode = REQUIRED, example = "staging") String environment,
      @Schema(description = "must repeat the target environment's name", example = "staging")
          String confirm) {}

  /** Body of {@code POST {STORAGE_URL}/signed-urls}. */
  record SignUrlRequest(
      @Schema(requiredMode = REQUIRED, example = "avatars/u1.png") String key,
      @Schema(
              requiredMode = REQUIRED,
              allowableValues = {"PUT", "POST", "GET", "DELETE"})
          String method,
      @Schema(description = "1 to 604800 (7 days)", example = "900") Long expiresInSeconds,
      @Schema(example = "image/png") String contentType,
      @Schema(description = "exact size of an upload, in bytes") Long contentLength,
      @Schema(description = "SHA-256 (hex) of an upload: a content-addressed upload")
          String contentSha256) {}

  /** Body of {@code POST {STORAGE_URL}/objects/finalize}. */
  record FinalizeUploadRequest(@Schema(requiredMode = REQUIRED) String uploadKey) {}

  /** Body of the realm's {@code POST /signup}. */
  record SignupRequest(String email, String phone, String password, Map<String, Object> data) {}

  /**
   * Body of the realm's {@code POST /token}: {@code email}/{@code phone} and {@code password} for
   * {@code grant_type=password}, {@code refresh_token} for {@code grant_type=refresh_token}.
   */
  record TokenRequest(String email, String phone, String password, String refresh_token) {}

  /** Body of the realm's {@code PUT /user}. */
  record UpdateUserRequest(
      String email,
      String password,
      String phone,
      Map<String, Object> data,
      Map<String, Object> app_metadata) {}

  // ---- answers built as maps -------------------------------------------------------------------

  /** Answer of {@code DELETE /v1/projects/{project}/environments/{env}}. */
  record EnvironmentDeletion(
      @Schema(requiredMode = REQUIRED) String environment,
      @Schema(requiredMode = REQUIRED, description = "the deprovisioning operations started")
          List<String> operationIds) {}

  /** Answer of {@code POST .../runtime-tokens}: the token, shown this once. */
  record RuntimeTokenCreated(
      @Schema(requiredMode = REQUIRED) String id,
      @Schema(requiredMode = REQUIRED, description = "the bearer token; shown only here")
          String token,
      @Schema(requiredMode = REQUIRED) Instant expiresAt,
      @Schema(requiredMode = REQUIRED, description = "the project's slug") String project,
      @Schema(requiredMode = REQUIRED) String environment,
      String instanceId) {}

  /** Answer of {@code POST .../snapshots/{snapshotId}/restore}. */
  record SnapshotRestoreStarted(
      @Schema(requiredMode = REQUIRED) String snapshotId,
      @Schema(requiredMode = REQUIRED) String operationId) {}

  /** Answer of {@code POST .../resize}. */
  record ResizeStarted(
      @Schema(requiredMode = REQUIRED) String environment,
      @Schema(requiredMode = REQUIRED) int sizeGiB,
      @Schema(requiredMode = REQUIRED) String operationId) {}

  /** Answer of {@code POST .../backups/{backupId}/restore}. */
  record BackupRestoreStarted(
      @Schema(requiredMode = REQUIRED) String backupId,
      @Schema(requiredMode = REQUIRED) String environment,
      @Schema(requiredMode = REQUIRED) String operationId) {}

  /** {@code 201} of {@code POST {STORAGE_URL}/signed-urls}: a presigned request. */
  record SignedUrl(
      @Schema(requiredMode = REQUIRED) String url,
      @Schema(requiredMode = REQUIRED) String method,
      @Schema(requiredMode = REQUIRED, description = "headers the request must send")
          Map<String, String> headers,
      @Schema(description = "form fields of a POST upload") Map<String, String> fields,
      @Schema(requiredMode = REQUIRED) Instant expiresAt,
      @Schema(requiredMode = REQUIRED) String key,
      @Schema(description = "of a content-addressed upload: send it to objects/finalize")
          String uploadKey,
      @Schema(description = "false for a content-addressed upload") Boolean exists) {}

  /** {@code 200} of {@code POST {STORAGE_URL}/signed-urls}: that content is stored already. */
  record AlreadyStored(
      @Schema(requiredMode = REQUIRED) String key,
      @Schema(requiredMode = REQUIRED) String contentSha256,
      @Schema(requiredMode = REQUIRED) long size,
      @Schema(requiredMode = REQUIRED, description = "always true") boolean exists) {}

  /** Answer of {@code POST {STORAGE_URL}/objects/finalize}. */
  record FinalizedUpload(
      @Schema(requiredMode = REQUIRED) String key,
      @Schema(requiredMode = REQUIRED) String contentSha256,
      @Schema(requiredMode = REQUIRED) long size,
      @Schema(requiredMode = REQUIRED, description = "true when that content was stored already")
          boolean deduplicated) {}

  /** A realm user as GoTrue shows it (more fields may appear). */
  record GoTrueUser(
      String id,
      String aud,
      String role,
      String email,
      String phone,
      Instant email_confirmed_at,
      Instant confirmed_at,
      Instant last_sign_in_at,
      Map<String, Object> app_metadata,
      Map<String, Object> user_metadata,
      List<Map<String, Object>> identities,
      Instant created_at,
      Instant updated_at,
      boolean is_anonymous) {}

  /** A session as GoTrue grants it. */
  record GoTrueSession(
      String access_token,
      @Schema(example = "bearer") String token_type,
      long expires_in,
      @Schema(description = "epoch seconds") long expires_at,
      String refresh_token,
      GoTrueUser user,
      Map<String, Object> weak_password) {}

  /** What a realm offers ({@code GET /settings}). */
  record GoTrueSettings(
      Map<String, Boolean> external,
      boolean disable_signup,
      boolean mailer_autoconfirm,
      boolean phone_autoconfirm,
      String sms_provider,
      boolean saml_enabled) {}

  /** {@code GET /health} of a realm. */
  record GoTrueHealth(String version, String name, String description) {}
}
