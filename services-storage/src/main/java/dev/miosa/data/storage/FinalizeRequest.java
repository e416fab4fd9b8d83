package dev.miosa.data.storage;

import jakarta.validation.constraints.NotNull;

/**
 * The body of {@code POST {STORAGE_URL}/objects/finalize}.
 *
 * @param uploadKey the {@code uploadKey} answered when the content-addressed upload was signed
 */
public record FinalizeRequest(
    @NotNull(message = "is required: the uploadKey returned when the upload was signed")
        String uploadKey) {}
