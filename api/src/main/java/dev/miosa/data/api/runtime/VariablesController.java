package dev.miosa.data.api.runtime;

import dev.miosa.data.api.audit.AuditLog;
import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.security.MiosaAuthentication;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Operator API: an environment's variables (audited) and its runtime tokens. */
@RestController
@Tag(name = "variables")
class VariablesController {

  private final ProjectService projects;
  private final EnvironmentStore environments;
  private final VariablesCache cache;
  private final RuntimeTokenService tokens;
  private final AuditLog audit;
  private final MiosaProperties props;

  VariablesController(
      ProjectService projects,
      EnvironmentStore environments,
      VariablesCache cache,
      RuntimeTokenService tokens,
      AuditLog audit,
      MiosaProperties props) {
    this.projects = projects;
    this.environments = environments;
    this.cache = cache;
    this.tokens = tokens;
    this.audit = audit;
    this.props = props;
  }

  @Operation(operationId = "getVariables", summary = "Read an environment's variables (audited)")
  @GetMapping("/v1/projects/{project}/environments/{env}/variables")
  Map<String, String> variables(@PathVariable String project, @PathVariable String env) {
    Project p = projects.find(project);
    Environment e = environments.require(p, env);
    Map<String, String> vars = cache.get(e.id()).variables();
    audit.record(MiosaAuthentication.currentActor(), "variables.read", p.id(), e.id());
    return vars;
  }

  @Operation(
      operationId = "mintRuntimeToken",
      summary = "Mint a runtime token for an environment (the token is shown once)")
  @ApiResponse(responseCode = "201", description = "the token")
  @PostMapping("/v1/projects/{project}/environments/{env}/runtime-tokens")
  ResponseEntity<Map<String, Object>> mint(
      @PathVariable String project,
      @PathVariable String env,
      @Valid @RequestBody(required = false) MintRuntimeTokenRequest body) {
    Project p = projects.find(project);
    Environment e = environments.require(p, env);
    MintRuntimeTokenRequest in = body == null ? MintRuntimeTokenRequest.EMPTY : body;
    String instanceId = in.instanceId();
    Duration lifetime = lifetime(in.ttlSeconds());
    var minted = tokens.mint(p.id(), e.id(), instanceId, lifetime);
    audit.record(MiosaAuthentication.currentActor(), "runtime-token.create", p.id(), e.id());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", minted.record().id());
    out.put("token", minted.token().reveal());
    out.put("expiresAt", minted.record().expiresAt());
    out.put("project", p.slug());
    out.put("environment", e.name());
    out.put("instanceId", instanceId);
    return ResponseEntity.created(URI.create("/v1/runtime-tokens/" + minted.record().id()))
        .body(out);
  }

  @Operation(operationId = "revokeRuntimeToken", summary = "Revoke a runtime token")
  @ApiResponse(responseCode = "204", description = "revoked")
  @DeleteMapping("/v1/runtime-tokens/{id}")
  ResponseEntity<Void> revoke(@PathVariable String id) {
    if (!tokens.revoke(id)) {
      // Never echo the id: a caller may paste the token itself here by mistake.
      throw new MiosaException(ErrorCode.RUNTIME_TOKEN_NOT_FOUND, "no runtime token with this id");
    }
    return ResponseEntity.noContent().build();
  }

  /** The asked lifetime within the configured maximum, or the configured default. */
  private Duration lifetime(Long ttlSeconds) {
    Duration max = props.runtimeTokens().maxTtl();
    if (ttlSeconds == null) {
      return props.runtimeTokens().defaultTtl();
    }
    if (ttlSeconds > max.toSeconds()) {
      throw MiosaException.invalid(
          "ttlSeconds", "must be between 60 and " + max.toSeconds() + " (the configured maximum)");
    }
    return Duration.ofSeconds(ttlSeconds);
  }
}
