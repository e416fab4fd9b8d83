package dev.miosa.data.api.openapi;

import java.util.Map;

/**
 * What the handlers cannot show springdoc, by operation ({@code "METHOD path"}): bodies they read
 * or build as maps, the summaries of the storage and realm handlers (whose modules do not depend on
 * the swagger annotations), the documented {@code 409} refusals and the meaning of the common
 * parameters. {@link OpenApiConfig} applies them.
 */
final class OperationNotes {

  private OperationNotes() {}

  /** Request body shapes of handlers that read maps, by {@code "METHOD path"}. */
  static final Map<String, Class<?>> REQUESTS =
      Map.ofEntries(
          Map.entry("POST /v1/projects", ContractShapes.CreateProjectRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/environments",
              ContractShapes.CreateEnvironmentRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/services", ContractShapes.AttachServiceRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/environments/{env}/runtime-tokens",
              ContractShapes.MintRuntimeTokenRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/attachments",
              ContractShapes.AttachVolumeRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/snapshots",
              ContractShapes.EnvironmentRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/resize",
              ContractShapes.ResizeVolumeRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/backups",
              ContractShapes.EnvironmentRequest.class),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/backups/{backupId}/restore",
              ContractShapes.RestoreBackupRequest.class),
          Map.entry(
              "POST /v1/storage/{resourceId}/signed-urls", ContractShapes.SignUrlRequest.class),
          Map.entry(
              "POST /v1/storage/{resourceId}/objects/finalize",
              ContractShapes.FinalizeUploadRequest.class),
          Map.entry("POST /v1/auth/{realmId}/signup", ContractShapes.SignupRequest.class),
          Map.entry("POST /v1/auth/{realmId}/token", ContractShapes.TokenRequest.class),
          Map.entry("PUT /v1/auth/{realmId}/user", ContractShapes.UpdateUserRequest.class));

  /** Answer shapes of handlers that build maps, by {@code "METHOD path"} and status. */
  static final Map<String, Map<String, Class<?>>> RESPONSES =
      Map.ofEntries(
          Map.entry(
              "DELETE /v1/projects/{project}/environments/{env}",
              Map.of("202", ContractShapes.EnvironmentDeletion.class)),
          Map.entry(
              "POST /v1/projects/{project}/environments/{env}/runtime-tokens",
              Map.of("201", ContractShapes.RuntimeTokenCreated.class)),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/snapshots/{snapshotId}/restore",
              Map.of("202", ContractShapes.SnapshotRestoreStarted.class)),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/resize",
              Map.of("202", ContractShapes.ResizeStarted.class)),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/backups/{backupId}/restore",
              Map.of("202", ContractShapes.BackupRestoreStarted.class)),
          Map.entry(
              "POST /v1/storage/{resourceId}/signed-urls",
              Map.of(
                  "201",
                  ContractShapes.SignedUrl.class,
                  "200",
                  ContractShapes.AlreadyStored.class)),
          Map.entry(
              "POST /v1/storage/{resourceId}/objects/finalize",
              Map.of("200", ContractShapes.FinalizedUpload.class)),
          Map.entry(
              "POST /v1/auth/{realmId}/signup", Map.of("200", ContractShapes.GoTrueSession.class)),
          Map.entry(
              "POST /v1/auth/{realmId}/token", Map.of("200", ContractShapes.GoTrueSession.class)),
          Map.entry("GET /v1/auth/{realmId}/user", Map.of("200", ContractShapes.GoTrueUser.class)),
          Map.entry("PUT /v1/auth/{realmId}/user", Map.of("200", ContractShapes.GoTrueUser.class)),
          Map.entry(
              "GET /v1/auth/{realmId}/settings",
              Map.of("200", ContractShapes.GoTrueSettings.class)),
          Map.entry(
              "GET /v1/auth/{realmId}/health", Map.of("200", ContractShapes.GoTrueHealth.class)));

  /**
   * Summaries of the storage and realm handlers, whose modules do not depend on the swagger
   * annotations, by {@code "METHOD path"}.
   */
  record RuntimeFacing(String operationId, String summary, String tag) {}

  static final Map<String, RuntimeFacing> RUNTIME_FACING =
      Map.of(
          "POST /v1/storage/{resourceId}/signed-urls",
          new RuntimeFacing(
              "signStorageUrl",
              "Presign a request (PUT, POST, GET, DELETE) for one object of the bucket",
              "storage"),
          "POST /v1/storage/{resourceId}/objects/finalize",
          new RuntimeFacing(
              "finalizeStorageUpload",
              "Finalize a content-addressed upload under its content's key",
              "storage"),
          "POST /v1/auth/{realmId}/signup",
          new RuntimeFacing(
              "realmSignup", "Sign a user up (a session, or the user to confirm)", "auth"),
          "POST /v1/auth/{realmId}/token",
          new RuntimeFacing(
              "realmToken",
              "Grant a session: grant_type=password or grant_type=refresh_token",
              "auth"),
          "GET /v1/auth/{realmId}/user",
          new RuntimeFacing("realmGetUser", "The access token's user", "auth"),
          "PUT /v1/auth/{realmId}/user",
          new RuntimeFacing("realmUpdateUser", "Change the access token's user", "auth"),
          "POST /v1/auth/{realmId}/logout",
          new RuntimeFacing(
              "realmLogout", "Sign out: scope=global (default), local or others", "auth"),
          "GET /v1/auth/{realmId}/settings",
          new RuntimeFacing("realmSettings", "What the realm offers", "auth"),
          "GET /v1/auth/{realmId}/health",
          new RuntimeFacing("realmHealth", "Whether the realm answers", "auth"));

  /** The documented {@code 409} refusals, by {@code "METHOD path"}. */
  static final Map<String, String> CONFLICTS =
      Map.ofEntries(
          Map.entry("POST /v1/projects", "PROJECT_SLUG_TAKEN"),
          Map.entry(
              "DELETE /v1/projects/{project}",
              "PROJECT_HAS_SERVICES without confirm while it has data services (and while any is"
                  + " deleted but not purged); with purge=true NOT_DELETED"),
          Map.entry(
              "POST /v1/projects/{project}/undelete",
              "NOT_DELETED, ALREADY_PURGED once its window closed"),
          Map.entry("POST /v1/projects/{project}/environments", "ENVIRONMENT_EXISTS"),
          Map.entry(
              "DELETE /v1/projects/{project}/environments/{env}",
              "VOLUME_ATTACHED without force=true; with purge=true NOT_DELETED (an active one),"
                  + " ALREADY_PURGED"),
          Map.entry(
              "POST /v1/projects/{project}/environments/{env}/undelete",
              "NOT_DELETED, ALREADY_PURGED (also once its window closed), NAME_TAKEN by an active"
                  + " environment"),
          Map.entry("POST /v1/projects/{project}/services", "SERVICE_CONFLICT: the name is taken"),
          Map.entry(
              "DELETE /v1/projects/{project}/services/{service}",
              "VOLUME_ATTACHED without force=true; with purge=true NOT_DELETED (an active one),"
                  + " ALREADY_PURGED"),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/undelete",
              "NOT_DELETED, ALREADY_PURGED (also once its window closed), NAME_TAKEN by an active"
                  + " data service, VARIABLE_NAME_CONFLICT"),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/attachments",
              "VOLUME_ATTACHED to another instance (holders names it), VOLUME_NOT_READY"),
          Map.entry(
              "PUT /v1/projects/{project}/services/{service}/attachments/{instanceId}",
              "LEASE_LOST: this instance no longer holds the volume"),
          Map.entry("POST /v1/projects/{project}/services/{service}/snapshots", "VOLUME_NOT_READY"),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/snapshots/{snapshotId}/restore",
              "VOLUME_ATTACHED, SNAPSHOT_NOT_READY"),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/resize",
              "VOLUME_ATTACHED, VOLUME_NOT_READY"),
          Map.entry("POST /v1/projects/{project}/services/{service}/backups", "DATABASE_NOT_READY"),
          Map.entry(
              "POST /v1/projects/{project}/services/{service}/backups/{backupId}/restore",
              "BACKUP_NOT_READY, DATABASE_NOT_READY"),
          Map.entry(
              "POST /v1/storage/{resourceId}/objects/finalize", "UPLOAD_CHANGED during finalize"));

  /** Descriptions of the path and query parameters of the API, by {@code "in name"}. */
  static final Map<String, String> PARAMETERS =
      Map.ofEntries(
          Map.entry("path project", "the project's id or slug"),
          Map.entry(
              "path service", "the data service's id or type:name (postgres:main, volume:main)"),
          Map.entry(
              "path env",
              "the environment's name; its id for a deleted one (purge=true, undelete)"),
          Map.entry("path id", "the id"),
          Map.entry("path instanceId", "the instance holding (or asking for) the attachment"),
          Map.entry("path snapshotId", "the snapshot's id"),
          Map.entry("path backupId", "the backup's id"),
          Map.entry("path resourceId", "the storage resource of STORAGE_URL"),
          Map.entry("path realmId", "the auth realm of AUTH_URL"),
          Map.entry("query cursor", "nextCursor of the previous page"),
          Map.entry("query limit", "page size, 1 to 100"),
          Map.entry(
              "query confirm",
              "must repeat the name of what is deleted; without it, 400 and nothing is deleted"),
          Map.entry(
              "query force",
              "true: go ahead although a guard refuses (detaches attached volumes, forces a"
                  + " detach)"),
          Map.entry(
              "query fencingToken",
              "only this attachment: a late renew or detach of an older one changes nothing"),
          Map.entry("query environment", "only this environment (by name)"),
          Map.entry(
              "query state",
              "active (the default) or deleted: the deleted ones not purged yet, with purgeAt"),
          Map.entry(
              "query purge",
              "true: purge a deleted one (named by id) now instead of at its purgeAt; its data is"
                  + " gone for good"),
          Map.entry(
              "header Idempotency-Key",
              "a repeated request with the same key answers the"
                  + " first answer again and changes nothing"));
}
