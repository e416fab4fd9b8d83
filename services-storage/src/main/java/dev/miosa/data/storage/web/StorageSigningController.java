package dev.miosa.data.storage.web;

import dev.miosa.data.storage.ContentUploads;
import dev.miosa.data.storage.SignOutcome;
import dev.miosa.data.storage.StorageError;
import dev.miosa.data.storage.StorageException;
import dev.miosa.data.storage.StorageSigning;
import dev.miosa.data.storage.StorageTarget;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The storage signing API under {@code STORAGE_URL} ({@code /v1/storage/<resource id>}),
 * authenticated by the environment's {@code STORAGE_KEY} as a bearer token (RFC 6750):
 *
 * <ul>
 *   <li>{@code POST /signed-urls}: {@code {"key","method","expiresInSeconds","contentType",
 *       "contentLength","contentSha256"}} answers {@code 201 {"url","method","headers",
 *       "expiresAt","key"}} (and {@code "fields"} for a {@code POST} form, {@code "uploadKey"} for
 *       a content-addressed upload), or {@code 200 {"key","contentSha256","size","exists": true}}
 *       when that content is stored already.
 *   <li>{@code POST /objects/finalize}: {@code {"uploadKey"}} answers {@code 200 {"key",
 *       "contentSha256","size","deduplicated"}}.
 * </ul>
 *
 * Errors are RFC 9457 problem details with a stable {@code code} ({@link StorageError}).
 */
@RestController
@RequestMapping("/v1/storage/{resourceId}")
public class StorageSigningController {

  private static final Logger log = LoggerFactory.getLogger(StorageSigningController.class);

  private final StorageSigning signing;

  /**
   * @param signing the use cases
   */
  public StorageSigningController(StorageSigning signing) {
    this.signing = signing;
  }

  @PostMapping(path = "/signed-urls", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Map<String, Object>> sign(
      @PathVariable String resourceId,
      @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
      @RequestBody(required = false) Map<String, Object> body) {
    StorageTarget target = signing.authenticate(resourceId, bearer(authorization));
    SignOutcome outcome = signing.sign(target, body == null ? Map.of() : body);
    Map<String, Object> out = new LinkedHashMap<>();
    if (outcome instanceof SignOutcome.AlreadyStored stored) {
      out.put("key", stored.key());
      out.put("contentSha256", stored.contentSha256());
      out.put("size", stored.size());
      out.put("exists", true);
      return ResponseEntity.ok(out);
    }
    SignOutcome.Signed signed = (SignOutcome.Signed) outcome;
    out.put("url", signed.url());
    out.put("method", signed.method());
    out.put("headers", signed.headers());
    if (!signed.fields().isEmpty()) {
      out.put("fields", signed.fields());
    }
    out.put("expiresAt", signed.expiresAt().toString());
    out.put("key", signed.key());
    if (signed.uploadKey() != null) {
      out.put("uploadKey", signed.uploadKey());
      out.put("exists", false);
    }
    return ResponseEntity.status(HttpStatus.CREATED).body(out);
  }

  @PostMapping(path = "/objects/finalize", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> finalizeUpload(
      @PathVariable String resourceId,
      @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
      @RequestBody(required = false) Map<String, Object> body) {
    StorageTarget target = signing.authenticate(resourceId, bearer(authorization));
    ContentUploads.Finalized done = signing.finalizeUpload(target, body == null ? Map.of() : body);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", done.key());
    out.put("contentSha256", done.contentSha256());
    out.put("size", done.size());
    out.put("deduplicated", done.deduplicated());
    return out;
  }

  @ExceptionHandler(StorageException.class)
  ResponseEntity<ProblemDetail> problem(StorageException e) {
    StorageError code = e.code();
    if (code.status() >= 500) {
      log.error("storage signing API: {}", e.getMessage(), e);
    } else {
      log.debug("storage signing API: {} {}", code, e.getMessage());
    }
    ProblemDetail pd =
        ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(code.status()), e.getMessage());
    pd.setType(URI.create(code.typeUri()));
    pd.setTitle(code.title());
    pd.setProperty("code", code.name());
    if (code == StorageError.INVALID_REQUEST && e.field().isPresent()) {
      String field = e.field().get();
      String message =
          e.getMessage().startsWith(field + ": ")
              ? e.getMessage().substring(field.length() + 2)
              : e.getMessage();
      pd.setProperty("errors", List.of(Map.of("field", field, "message", message)));
    }
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (code == StorageError.UNAUTHORIZED) {
      headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    if (code == StorageError.BACKEND_UNAVAILABLE) {
      headers.set(HttpHeaders.RETRY_AFTER, "5");
    }
    return new ResponseEntity<>(pd, headers, code.status());
  }

  private static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
