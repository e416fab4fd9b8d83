package dev.miosa.data.storage;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST {STORAGE_URL}/signed-urls} as sent (bound by the HTTP edge, checked field
 * by field by Bean Validation); {@link SignRequest#parse} applies the rules that join fields or
 * depend on the data service's config.
 *
 * @param method {@code PUT}, {@code POST}, {@code GET} or {@code DELETE} (any case)
 * @param key the object key; omitted for a content-addressed upload
 * @param expiresInSeconds 1 to 604800 (7 days); 900 when omitted
 * @param contentType for uploads: the media type the uploader must send
 * @param contentLength for uploads: the exact ({@code PUT}) or largest ({@code POST}) size
 * @param contentSha256 for uploads: the body's SHA-256 in hex, to store it by content
 */
public record SignUrlRequest(
    @NotNull(message = "must be one of PUT, POST, GET, DELETE")
        @Pattern(
            regexp = "(?i)PUT|POST|GET|DELETE",
            message = "must be one of PUT, POST, GET, DELETE")
        String method,
    String key,
    @Min(value = 1, message = "must be between 1 and 604800 (7 days)")
        @Max(value = 604800, message = "must be between 1 and 604800 (7 days)")
        Long expiresInSeconds,
    @Size(max = 255, message = "must be a media type such as image/png (RFC 2045)")
        String contentType,
    @PositiveOrZero(message = "must not be negative") Long contentLength,
    @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be a SHA-256 in hex (64 characters)")
        String contentSha256) {}
