package dev.miosa.data.provisioner.spi;

import java.util.Locale;

/**
 * The one vocabulary of refusals and failures answered to clients: a stable machine code, a short
 * title and a {@link Kind} that the HTTP edge turns into a status (the provisioner and the services
 * know no HTTP). The names and the problem type URIs derived from them are part of the API
 * contract: never rename a code.
 */
public enum ErrorCode {
  /** A request field or parameter is missing or invalid; the errors name each one. */
  INVALID_REQUEST(Kind.INVALID, "Invalid request"),
  /** The body is not a JSON object. */
  MALFORMED_JSON(Kind.INVALID, "Malformed JSON"),
  /** The edge's firewall refused a path or header that is not in canonical form. */
  REQUEST_REJECTED(Kind.INVALID, "Request rejected"),
  /** A destructive request lacks its {@code confirm}. */
  CONFIRMATION_REQUIRED(Kind.INVALID, "Confirmation required"),
  /** No, or a wrong, credential. */
  UNAUTHORIZED(Kind.UNAUTHORIZED, "Unauthorized"),
  /** The credential is valid but may not do this. */
  FORBIDDEN(Kind.FORBIDDEN, "Forbidden"),
  /** No such path. */
  NOT_FOUND(Kind.NOT_FOUND, "Not found"),
  PROJECT_NOT_FOUND(Kind.NOT_FOUND, "Project not found"),
  ENVIRONMENT_NOT_FOUND(Kind.NOT_FOUND, "Environment not found"),
  SERVICE_NOT_FOUND(Kind.NOT_FOUND, "Data service not found"),
  OPERATION_NOT_FOUND(Kind.NOT_FOUND, "Operation not found"),
  RUNTIME_TOKEN_NOT_FOUND(Kind.NOT_FOUND, "Runtime token not found"),
  /** No webhook endpoint by that id. */
  WEBHOOK_NOT_FOUND(Kind.NOT_FOUND, "Webhook not found"),
  METHOD_NOT_ALLOWED(Kind.METHOD_NOT_ALLOWED, "Method not allowed"),
  NOT_ACCEPTABLE(Kind.NOT_ACCEPTABLE, "Not acceptable"),
  UNSUPPORTED_MEDIA_TYPE(Kind.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
  PAYLOAD_TOO_LARGE(Kind.TOO_LARGE, "Request body too large"),
  PROJECT_SLUG_TAKEN(Kind.CONFLICT, "Project slug taken"),
  PROJECT_HAS_SERVICES(Kind.CONFLICT, "Project still has data services"),
  ENVIRONMENT_EXISTS(Kind.CONFLICT, "Environment exists"),
  SERVICE_CONFLICT(Kind.CONFLICT, "Data service exists"),
  /** A data service's variables would carry a name another data service of the project gives. */
  VARIABLE_NAME_CONFLICT(Kind.CONFLICT, "Variable names collide"),
  CONFLICT(Kind.CONFLICT, "Conflict"),
  /** Undelete: a live data service (or environment) now holds the deleted one's name. */
  NAME_TAKEN(Kind.CONFLICT, "Name taken by a live one"),
  /** Undelete or purge of a data service (or environment) that is not deleted. */
  NOT_DELETED(Kind.CONFLICT, "Not deleted"),
  /** Undelete or purge of a data service (or environment) already purged or being purged. */
  ALREADY_PURGED(Kind.CONFLICT, "Already purged"),
  /** No volume (or data service, or environment) by that name. */
  VOLUME_NOT_FOUND(Kind.NOT_FOUND, "Volume not found"),
  /** The volume is still being provisioned, or is being deleted. */
  VOLUME_NOT_READY(Kind.CONFLICT, "Volume not ready"),
  /** Another holder has the volume (an instance, or a resize/restore operation). */
  VOLUME_ATTACHED(Kind.CONFLICT, "Volume attached"),
  /** This instance never held the volume. */
  ATTACHMENT_NOT_FOUND(Kind.NOT_FOUND, "Attachment not found"),
  /** This instance held the volume but no longer does (detached, forced, expired or taken over). */
  LEASE_LOST(Kind.CONFLICT, "Lease lost"),
  /** No snapshot by that id (on this data service). */
  SNAPSHOT_NOT_FOUND(Kind.NOT_FOUND, "Snapshot not found"),
  /** The snapshot is not finished yet. */
  SNAPSHOT_NOT_READY(Kind.CONFLICT, "Snapshot not ready"),
  BACKUP_NOT_FOUND(Kind.NOT_FOUND, "Backup not found"),
  BACKUP_NOT_READY(Kind.CONFLICT, "Backup not ready"),
  DATABASE_NOT_READY(Kind.CONFLICT, "Database not ready"),
  /** The upload to finalize is not in the bucket (never uploaded, or already finalized). */
  UPLOAD_NOT_FOUND(Kind.NOT_FOUND, "Upload not found"),
  /** The upload changed while it was being finalized; finalize again. */
  UPLOAD_CHANGED(Kind.CONFLICT, "Upload changed during finalize"),
  /** The uploaded body's SHA-256 is not the declared one; the upload was deleted. */
  CONTENT_HASH_MISMATCH(Kind.UNPROCESSABLE, "Content hash mismatch"),
  /** The uploaded object is larger than the data service's {@code maxObjectBytes}; deleted. */
  OBJECT_TOO_LARGE(Kind.UNPROCESSABLE, "Object too large"),
  /**
   * Storage: a browser form (POST policy) upload was asked of an object store that does not enforce
   * a policy's conditions (found by probing); signed PUTs work there.
   */
  FORM_UPLOADS_UNSUPPORTED(Kind.CONFLICT, "Form uploads not supported by this object store"),
  IDEMPOTENCY_KEY_REUSED(Kind.UNPROCESSABLE, "Idempotency-Key reused with another request"),
  IDEMPOTENCY_KEY_IN_FLIGHT(Kind.CONFLICT, "Request with this Idempotency-Key still running"),
  /** The data service's type has no credentials to rotate (volumes). */
  ROTATION_NOT_SUPPORTED(Kind.CONFLICT, "Credentials cannot be rotated"),
  /** A rotation of these credentials has not promoted its new credential yet; poll it, retry. */
  ROTATION_IN_PROGRESS(Kind.CONFLICT, "Rotation in progress"),
  /** The data service is not ready in that environment (still provisioning, failed or deleting). */
  SERVICE_NOT_READY(Kind.CONFLICT, "Data service not ready"),
  /** Auth realm: no realm with that id (never created, or deprovisioned). */
  REALM_NOT_FOUND(Kind.NOT_FOUND, "Auth realm not found"),
  /** Auth realm: the realm refuses new sign-ups. */
  SIGNUP_DISABLED(Kind.FORBIDDEN, "Signups disabled"),
  /** Auth realm: phone sign-up is not offered. */
  PHONE_SIGNUP_DISABLED(Kind.INVALID, "Phone signups disabled"),
  /** Auth realm: phone login and phone changes are not offered. */
  PHONE_PROVIDER_DISABLED(Kind.UNPROCESSABLE, "Phone provider disabled"),
  /** Auth realm: the password is shorter than the realm's minimum. */
  WEAK_PASSWORD(Kind.UNPROCESSABLE, "Weak password"),
  /** Auth realm: sign-up with an address that already has a confirmed user. */
  USER_ALREADY_EXISTS(Kind.CONFLICT, "User already exists"),
  /** Auth realm: changing the email to one another user has. */
  EMAIL_EXISTS(Kind.CONFLICT, "Email exists"),
  /** Auth realm: changing the password to the same password. */
  SAME_PASSWORD(Kind.UNPROCESSABLE, "Same password"),
  /** Auth realm: unknown email or wrong password (one answer for both). */
  INVALID_CREDENTIALS(Kind.UNAUTHORIZED, "Invalid credentials"),
  /** Auth realm: right password, unconfirmed address. */
  EMAIL_NOT_CONFIRMED(Kind.FORBIDDEN, "Email not confirmed"),
  /** Auth realm: a refresh grant without a refresh token. */
  REFRESH_TOKEN_REQUIRED(Kind.INVALID, "Refresh token required"),
  /** Auth realm: the refresh token is unknown in this realm. */
  REFRESH_TOKEN_NOT_FOUND(Kind.UNAUTHORIZED, "Refresh token not found"),
  /** Auth realm: a rotated refresh token was used again after the grace window. */
  REFRESH_TOKEN_ALREADY_USED(Kind.UNAUTHORIZED, "Refresh token already used"),
  /** Auth realm: the bearer token is not a valid access token of this realm. */
  BAD_JWT(Kind.UNAUTHORIZED, "Invalid access token"),
  /** Auth realm: the token's user no longer exists. */
  USER_NOT_FOUND(Kind.NOT_FOUND, "User not found"),
  /** Auth realm: the token's session was logged out or revoked. */
  SESSION_NOT_FOUND(Kind.UNAUTHORIZED, "Session not found"),
  /** Too many requests; retry after the advertised delay. */
  RATE_LIMITED(Kind.RATE_LIMITED, "Too many requests"),
  INTERNAL(Kind.INTERNAL, "Internal error"),
  UNAVAILABLE(Kind.UNAVAILABLE, "Service unavailable"),
  /** The object store did not answer or failed. */
  BACKEND_UNAVAILABLE(Kind.UNAVAILABLE, "Object store unavailable");

  /** How a client should see an error; the HTTP edge maps each kind to one status. */
  public enum Kind {
    /** The request itself is malformed (400). */
    INVALID,
    /** No, or a wrong, credential (401). */
    UNAUTHORIZED,
    /** Authenticated but not allowed (403). */
    FORBIDDEN,
    /** Something named does not exist (404). */
    NOT_FOUND,
    /** The method is not offered on this path (405). */
    METHOD_NOT_ALLOWED,
    /** No representation the client accepts (406). */
    NOT_ACCEPTABLE,
    /** The request conflicts with the current state (409). */
    CONFLICT,
    /** The request body is too large (413). */
    TOO_LARGE,
    /** The body's media type is not accepted (415). */
    UNSUPPORTED_MEDIA_TYPE,
    /** Well-formed but refused on its content (422). */
    UNPROCESSABLE,
    /** Too many requests (429). */
    RATE_LIMITED,
    /** A bug or an unexpected failure (500). */
    INTERNAL,
    /** A backend is down or missing; retry later (503). */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String title;

  ErrorCode(Kind kind, String title) {
    this.kind = kind;
    this.title = title;
  }

  /** How a client should see the error. */
  public Kind kind() {
    return kind;
  }

  /** A short human title. */
  public String title() {
    return title;
  }

  /** The problem type URI, e.g. {@code https://miosa.dev/problems/project-not-found}. */
  public String typeUri() {
    return "https://miosa.dev/problems/" + name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
