package dev.miosa.data.api.web;

import org.springframework.http.HttpStatus;

/** Stable machine codes of API errors; each maps to one HTTP status and a problem type URI. */
public enum ErrorCode {
  INVALID_REQUEST(HttpStatus.BAD_REQUEST, "Invalid request"),
  MALFORMED_JSON(HttpStatus.BAD_REQUEST, "Malformed JSON"),
  CONFIRMATION_REQUIRED(HttpStatus.BAD_REQUEST, "Confirmation required"),
  REQUEST_REJECTED(HttpStatus.BAD_REQUEST, "Request rejected"),
  UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Unauthorized"),
  FORBIDDEN(HttpStatus.FORBIDDEN, "Forbidden"),
  NOT_FOUND(HttpStatus.NOT_FOUND, "Not found"),
  PROJECT_NOT_FOUND(HttpStatus.NOT_FOUND, "Project not found"),
  ENVIRONMENT_NOT_FOUND(HttpStatus.NOT_FOUND, "Environment not found"),
  SERVICE_NOT_FOUND(HttpStatus.NOT_FOUND, "Data service not found"),
  OPERATION_NOT_FOUND(HttpStatus.NOT_FOUND, "Operation not found"),
  RUNTIME_TOKEN_NOT_FOUND(HttpStatus.NOT_FOUND, "Runtime token not found"),
  METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
  NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
  UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
  PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),
  PROJECT_SLUG_TAKEN(HttpStatus.CONFLICT, "Project slug taken"),
  PROJECT_HAS_SERVICES(HttpStatus.CONFLICT, "Project still has data services"),
  ENVIRONMENT_EXISTS(HttpStatus.CONFLICT, "Environment exists"),
  SERVICE_CONFLICT(HttpStatus.CONFLICT, "Data service exists"),
  CONFLICT(HttpStatus.CONFLICT, "Conflict"),
  VOLUME_NOT_FOUND(HttpStatus.NOT_FOUND, "Volume not found"),
  VOLUME_NOT_READY(HttpStatus.CONFLICT, "Volume not ready"),
  VOLUME_ATTACHED(HttpStatus.CONFLICT, "Volume attached"),
  ATTACHMENT_NOT_FOUND(HttpStatus.NOT_FOUND, "Attachment not found"),
  LEASE_LOST(HttpStatus.CONFLICT, "Lease lost"),
  SNAPSHOT_NOT_FOUND(HttpStatus.NOT_FOUND, "Snapshot not found"),
  SNAPSHOT_NOT_READY(HttpStatus.CONFLICT, "Snapshot not ready"),
  BACKUP_NOT_FOUND(HttpStatus.NOT_FOUND, "Backup not found"),
  BACKUP_NOT_READY(HttpStatus.CONFLICT, "Backup not ready"),
  DATABASE_NOT_READY(HttpStatus.CONFLICT, "Database not ready"),
  IDEMPOTENCY_KEY_REUSED(
      HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused with another request"),
  IDEMPOTENCY_KEY_IN_FLIGHT(HttpStatus.CONFLICT, "Request with this Idempotency-Key still running"),
  INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
  UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable");

  private final HttpStatus status;
  private final String title;

  ErrorCode(HttpStatus status, String title) {
    this.status = status;
    this.title = title;
  }

  /** The HTTP status. */
  public HttpStatus status() {
    return status;
  }

  /** A short human title. */
  public String title() {
    return title;
  }

  /**
   * The generic code of an HTTP status, for errors raised outside the API's own handlers.
   *
   * @param status an HTTP status code
   * @return the first code with that status, or {@link #INTERNAL} for an unknown 5xx and {@link
   *     #INVALID_REQUEST} for an unknown 4xx
   */
  public static ErrorCode forStatus(int status) {
    for (ErrorCode c :
        new ErrorCode[] {
          NOT_FOUND,
          UNAUTHORIZED,
          FORBIDDEN,
          METHOD_NOT_ALLOWED,
          NOT_ACCEPTABLE,
          UNSUPPORTED_MEDIA_TYPE,
          PAYLOAD_TOO_LARGE,
          UNAVAILABLE,
          REQUEST_REJECTED
        }) {
      if (c.status.value() == status) {
        return c;
      }
    }
    return status >= 500 ? INTERNAL : INVALID_REQUEST;
  }

  /** The problem type URI, e.g. {@code https://miosa.dev/problems/project-not-found}. */
  public String typeUri() {
    return "https://miosa.dev/problems/"
        + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
