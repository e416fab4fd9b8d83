package dev.miosa.data.storage.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.storage.ContentUploads;
import dev.miosa.data.storage.FinalizeRequest;
import dev.miosa.data.storage.SignOutcome;
import dev.miosa.data.storage.SignUrlRequest;
import dev.miosa.data.storage.StorageSigning;
import dev.miosa.data.storage.StorageTarget;
import jakarta.validation.Valid;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;

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
 * The key is checked before the body is read: an unauthenticated caller gets {@code 401} whatever
 * it sent. Bodies are records bound by the framework and checked by Bean Validation. Refusals are
 * {@link MiosaException}s with a stable {@link ErrorCode}, rendered as RFC 9457 problem details by
 * the application's one error handler.
 */
@RestController
@RequestMapping("/v1/storage/{resourceId}")
public class StorageSigningController {

  private static final String TARGET = "dev.miosa.data.storage.web.StorageSigningController.target";

  private final StorageSigning signing;

  /**
   * @param signing the use cases
   */
  public StorageSigningController(StorageSigning signing) {
    this.signing = signing;
  }

  /**
   * Checks the {@code STORAGE_KEY} before anything else: model attribute methods run before the
   * handler's arguments are bound, so a caller without the key learns nothing about the body's
   * rules. More than one {@code Authorization} header is refused like a wrong key.
   */
  @ModelAttribute
  void authenticate(
      @PathVariable String resourceId, @RequestHeader HttpHeaders headers, WebRequest request) {
    List<String> authorization = headers.getOrEmpty(HttpHeaders.AUTHORIZATION);
    String key = authorization.size() == 1 ? bearer(authorization.get(0)) : null;
    request.setAttribute(
        TARGET, signing.authenticate(resourceId, key), RequestAttributes.SCOPE_REQUEST);
  }

  @PostMapping(path = "/signed-urls", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Map<String, Object>> sign(
      @PathVariable String resourceId, // (part of the contract; checked by authenticate)
      @RequestAttribute(TARGET) StorageTarget target,
      @Valid @RequestBody SignUrlRequest body) {
    SignOutcome outcome = signing.sign(target, body);
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
      @PathVariable String resourceId, // (part of the contract; checked by authenticate)
      @RequestAttribute(TARGET) StorageTarget target,
      @Valid @RequestBody FinalizeRequest body) {
    ContentUploads.Finalized done = signing.finalizeUpload(target, body);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", done.key());
    out.put("contentSha256", done.contentSha256());
    out.put("size", done.size());
    out.put("deduplicated", done.deduplicated());
    return out;
  }

  private static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
