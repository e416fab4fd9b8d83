package dev.miosa.data.api.runtime;

import java.time.Instant;

/**
 * A runtime token as stored: only the SHA-256 of the token itself.
 *
 * @param id the token's id ({@code rt_...}), used to revoke it
 * @param projectId the project
 * @param environmentId the one environment it may read
 * @param instanceId the runtime instance it was minted for, or null
 * @param tokenHash lowercase hex SHA-256 of the token
 * @param expiresAt end of validity
 * @param revokedAt when revoked, or null
 * @param createdAt when minted
 */
public record RuntimeToken(
    String id,
    String projectId,
    String environmentId,
    String instanceId,
    String tokenHash,
    Instant expiresAt,
    Instant revokedAt,
    Instant createdAt) {}
