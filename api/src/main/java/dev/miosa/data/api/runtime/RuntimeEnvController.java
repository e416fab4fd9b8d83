package dev.miosa.data.api.runtime;

import dev.miosa.data.credentials.EnvFormat;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Runtime API: {@code GET /v1/runtime/env}, the boot-time fetch of the token's environment's
 * variables as JSON, dotenv ({@code ?format=dotenv} or {@code Accept: text/plain}) or shell ({@code
 * ?format=shell}), with an {@code ETag} and {@code 304} on a matching {@code If-None-Match}. See
 * {@link EnvFetch}.
 */
@RestController
@Tag(name = "runtime")
class RuntimeEnvController {

  private static final Map<EnvFormat, MediaType> MEDIA_TYPES = new EnumMap<>(EnvFormat.class);

  static {
    for (EnvFormat f : EnvFormat.values()) {
      MEDIA_TYPES.put(f, MediaType.parseMediaType(EnvFetch.contentType(f)));
    }
  }

  private final EnvFetch envFetch;

  RuntimeEnvController(EnvFetch envFetch) {
    this.envFetch = envFetch;
  }

  @Operation(
      operationId = "fetchRuntimeEnv",
      summary = "Fetch the token's environment's variables as JSON, dotenv or shell")
  @GetMapping("/v1/runtime/env")
  ResponseEntity<byte[]> env(HttpServletRequest request) {
    // Read from the request itself: @RequestParam/@RequestHeader resolution evaluates an
    // expression per request under a shared lock, which shows up at tens of thousands of boots.
    EnvFormat format =
        EnvFetch.negotiate(request.getParameter("format"), request.getHeader("Accept"));
    EnvFetch.Answer answer =
        envFetch.fetch(RuntimeCaller.current(), format, request.getHeader("If-None-Match"));
    return ResponseEntity.status(answer.notModified() ? HttpStatus.NOT_MODIFIED : HttpStatus.OK)
        .contentType(MEDIA_TYPES.get(format))
        .cacheControl(CacheControl.noStore())
        .eTag(answer.etag())
        .body(answer.notModified() ? null : answer.body());
  }
}
