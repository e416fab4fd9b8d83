package dev.miosa.data.api.runtime;

import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Operator API: the runtime tokens of an environment, so that one can be found and revoked. */
@RestController
@Tag(name = "variables")
class RuntimeTokenListController {

  private final ProjectService projects;
  private final EnvironmentStore environments;
  private final RuntimeTokenList tokens;

  RuntimeTokenListController(
      ProjectService projects, EnvironmentStore environments, RuntimeTokenList tokens) {
    this.projects = projects;
    this.environments = environments;
    this.tokens = tokens;
  }

  @Operation(
      operationId = "listRuntimeTokens",
      summary = "List an environment's runtime tokens (never their values)")
  @GetMapping("/v1/projects/{project}/environments/{env}/runtime-tokens")
  Map<String, List<RuntimeTokenList.Item>> list(
      @PathVariable String project, @PathVariable String env) {
    Project p = projects.find(project);
    var e =
        environments
            .find(p.id(), env)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_NOT_FOUND,
                        "no environment '" + ProjectService.printable(env) + "' in " + p.slug()));
    return Map.of("items", tokens.of(e.id()));
  }
}
