package dev.miosa.data.api.runtime;

import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.project.ProjectViews.Page;
import dev.miosa.data.api.web.PageCursor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
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
      summary =
          "List an environment's runtime tokens (never their values), newest first, a page at a time")
  @GetMapping("/v1/projects/{project}/environments/{env}/runtime-tokens")
  Page<RuntimeTokenList.Item> list(
      @PathVariable String project,
      @PathVariable String env,
      @RequestParam(required = false) String cursor,
      @RequestParam(defaultValue = "100") String limit) {
    int n = PageCursor.limit(limit, 1000);
    Project p = projects.find(project);
    var e = environments.require(p, env);
    return tokens.of(e.id(), cursor, n);
  }
}
