package dev.miosa.data.api.runtime;

import dev.miosa.data.api.audit.AuditLog;
import dev.miosa.data.api.web.ApiException;
import dev.miosa.data.api.web.BearerAuthFilter;
import dev.miosa.data.credentials.EnvFormat;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Runtime API: {@code GET /v1/runtime/env}, the boot-time fetch of the token's environment's
 * variables as JSON, dotenv ({@code ?format=dotenv} or {@code Accept: text/plain}) or shell ({@code
 * ?format=shell}). Served from the {@link VariablesCache}; the read is audited off the request
 * path.
 */
@RestController
@Tag(name = "runtime")
class RuntimeEnvController {

  private static final java.util.Map<EnvFormat, MediaType> MEDIA_TYPES =
      new java.util.EnumMap<>(EnvFormat.class);

  static {
    for (EnvFormat f : EnvFormat.values()) {
      MEDIA_TYPES.put(
          f,
          f == EnvFormat.JSON
              ? MediaType.APPLICATION_JSON
              : new MediaType(
                  MediaType.parseMediaType(f.mediaType()),
                  java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private final VariablesCache cache;
  private final AuditLog audit;

  RuntimeEnvController(VariablesCache cache, AuditLog audit) {
    this.cache = cache;
    this.audit = audit;
  }

  @Operation(
      operationId = "fetchRuntimeEnv",
      summary = "Fetch the token's environment's variables as JSON, dotenv or shell")
  @GetMapping("/v1/runtime/env")
  ResponseEntity<byte[]> env(HttpServletRequest request) {
    // Read from the request itself: @RequestParam/@RequestHeader resolution evaluates an
    // expression per request under a shared lock, which shows up at tens of thousands of boots.
    String format = request.getParameter("format");
    String accept = request.getHeader("Accept");
    var principal =
        (RuntimeTokenService.RuntimePrincipal)
            request.getAttribute(BearerAuthFilter.RUNTIME_PRINCIPAL);
    EnvFormat f;
    if (format != null) {
      try {
        f = EnvFormat.parse(format);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("format", e.getMessage());
      }
    } else if (accept != null
        && accept.contains("text/plain")
        && !accept.contains("application/json")) {
      f = EnvFormat.DOTENV;
    } else {
      f = EnvFormat.JSON;
    }
    byte[] body = cache.get(principal.environmentId()).bytes(f);
    audit.record(
        "runtime-token:" + principal.tokenId(),
        "variables.read",
        principal.projectId(),
        principal.environmentId());
    return ResponseEntity.ok()
        .contentType(MEDIA_TYPES.get(f))
        .cacheControl(CacheControl.noStore())
        .body(body);
  }
}
