package dev.miosa.data.api.openapi;

import static dev.miosa.data.api.openapi.SchemaShapes.firstMedia;
import static dev.miosa.data.api.openapi.SchemaShapes.firstSchema;
import static dev.miosa.data.api.openapi.SchemaShapes.freeForm;
import static dev.miosa.data.api.openapi.SchemaShapes.requestSchema;
import static dev.miosa.data.api.openapi.SchemaShapes.typed;
import static java.util.stream.Collectors.joining;

import dev.miosa.data.provisioner.spi.ErrorCode;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI 3.1 document served at {@code /v3/api-docs} (and committed as {@code
 * docs/openapi.json}): springdoc infers paths, parameters and schemas from the controllers; this
 * class adds what is global (info, the relative server {@code /}, the four bearer schemes, the RFC
 * 9457 problem) and what the handlers cannot show: which credential each path needs, the error
 * answers, and the bodies that handlers read as maps or straight from the request.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {

  /** Security scheme of the operator API: {@code Authorization: Bearer <MIOSA_ADMIN_TOKEN>}. */
  public static final String ADMIN_TOKEN = "adminToken";

  /** Security scheme of the runtime API: a runtime token minted for one environment. */
  public static final String RUNTIME_TOKEN = "runtimeToken";

  /** Security scheme of the storage signing API: the environment's {@code STORAGE_KEY}. */
  public static final String STORAGE_KEY = "storageKey";

  /** Security scheme of the auth realm API: an access token (HS256 JWT) of the realm. */
  public static final String REALM_JWT = "realmJwt";

  private static final String PROBLEM_JSON = "application/problem+json";
  private static final String JSON = "application/json";

  /** The document's global part; springdoc adds the paths. */
  @Bean
  OpenAPI miosaOpenApi() {
    Components components =
        new Components()
            .addSecuritySchemes(
                ADMIN_TOKEN, bearer("The operator API's admin token (MIOSA_ADMIN_TOKEN)", "opaque"))
            .addSecuritySchemes(
                RUNTIME_TOKEN,
                bearer(
                    "A runtime token, minted by an operator for one environment (and instance)",
                    "opaque"))
            .addSecuritySchemes(
                STORAGE_KEY,
                bearer("The environment's STORAGE_KEY of a storage data service", "opaque"))
            .addSecuritySchemes(
                REALM_JWT,
                bearer("An access token of the auth realm, signed with AUTH_JWT_SECRET", "JWT"));
    return new OpenAPI()
        .info(
            new Info()
                .title("MIOSA Data Services")
                .version("v1")
                .description(
                    "Control plane of per-project data services: the operator API (admin token),"
                        + " the runtime API (runtime token), the storage signing API (STORAGE_KEY)"
                        + " and the GoTrue-compatible auth realm API. Errors are RFC 9457 problem"
                        + " details. The human guide is docs/api.md."))
        .servers(List.of(new Server().url("/").description("this server")))
        .components(components)
        .addSecurityItem(new SecurityRequirement().addList(ADMIN_TOKEN));
  }

  private static SecurityScheme bearer(String description, String format) {
    return new SecurityScheme()
        .type(SecurityScheme.Type.HTTP)
        .scheme("bearer")
        .bearerFormat(format)
        .description(description);
  }

  /** Completes every operation: credentials, error answers and the shapes handlers cannot show. */
  @Bean
  OpenApiCustomizer miosaOpenApiCustomizer() {
    return openApi -> {
      Components components = openApi.getComponents();
      Schemas schemas = new Schemas(components);
      schemas.ref(ContractShapes.Problem.class);
      Schema<?> problem = components.getSchemas().get("Problem");
      Schema<?> code = problem.getProperties().get("code");
      code.setDescription(
          "stable machine-readable error code, one of: "
              + Arrays.stream(ErrorCode.values()).map(Enum::name).collect(joining(", "))
              + ".");
      schemas.ref(ContractShapes.GoTrueError.class);
      Paths sorted = new Paths();
      new TreeMap<>(openApi.getPaths()).forEach(sorted::addPathItem);
      openApi.setPaths(sorted);
      sorted.forEach(
          (path, item) ->
              item.readOperationsMap()
                  .forEach(
                      (method, op) -> complete(method.name() + " " + path, path, op, schemas)));
    };
  }

  private static void complete(String key, String path, Operation op, Schemas schemas) {
    boolean realm = path.startsWith("/v1/auth/");
    OperationNotes.RuntimeFacing named = OperationNotes.RUNTIME_FACING.get(key);
    if (named != null) {
      op.operationId(named.operationId()).summary(named.summary()).tags(List.of(named.tag()));
    }
    String scheme = scheme(path);
    // The document's global requirement is the admin token; the other APIs say their own.
    op.setSecurity(
        scheme == null
            ? List.of()
            : scheme.equals(ADMIN_TOKEN)
                ? null
                : List.of(new SecurityRequirement().addList(scheme)));
    shapes(key, op, schemas, named != null);
    parameters(op, realm);
    if (key.equals("GET /v1/runtime/env")) {
      runtimeEnv(op);
    }
    if (key.equals("POST /v1/auth/{realmId}/logout")) {
      op.getResponses().remove("200");
      op.getResponses().addApiResponse("204", new ApiResponse().description("signed out"));
    }
    if (key.equals("POST /v1/auth/{realmId}/signup")) {
      // A session, or only the user while the email address awaits confirmation.
      firstMedia(op.getResponses().get("200"))
          .schema(
              new JsonSchema()
                  .oneOf(
                      List.of(
                          schemas.ref(ContractShapes.GoTrueSession.class),
                          schemas.ref(ContractShapes.GoTrueUser.class))));
    }
    errors(key, op, realm, scheme != null, schemas);
  }

  /**
   * Request and answer bodies: a shape of {@link ContractShapes} where springdoc inferred a free
   * object (or, for the storage and realm handlers that write JSON themselves, a string), and
   * {@code {"items": [...]}} for list answers.
   */
  private static void shapes(String key, Operation op, Schemas schemas, boolean writesOwnJson) {
    Class<?> request = OperationNotes.REQUESTS.get(key);
    if (request != null && (op.getRequestBody() == null || freeForm(requestSchema(op)))) {
      op.requestBody(
          new RequestBody()
              .required(true)
              .content(
                  new Content().addMediaType(JSON, new MediaType().schema(schemas.ref(request)))));
    }
    ApiResponses responses = op.getResponses();
    OperationNotes.RESPONSES
        .getOrDefault(key, Map.of())
        .forEach(
            (status, shape) -> {
              ApiResponse r = responses.get(status);
              if (r == null) {
                r = new ApiResponse().description(describe(status));
                responses.addApiResponse(status, r);
              }
              if (writesOwnJson || freeForm(firstSchema(r.getContent()))) {
                r.content(
                    new Content().addMediaType(JSON, new MediaType().schema(schemas.ref(shape))));
              }
            });
    responses.values().forEach(OpenApiConfig::namedItems);
  }

  /** Describes the common parameters; credentials are the security schemes' business. */
  private static void parameters(Operation op, boolean realm) {
    if (op.getParameters() != null) {
      op.getParameters()
          .removeIf(
              p -> "header".equals(p.getIn()) && "Authorization".equalsIgnoreCase(p.getName()));
      op.getParameters().stream()
          .filter(p -> p.getDescription() == null)
          .forEach(
              p -> p.setDescription(OperationNotes.PARAMETERS.get(p.getIn() + " " + p.getName())));
    }
    boolean versioned =
        op.getParameters() != null
            && op.getParameters().stream()
                .anyMatch(p -> "X-Supabase-Api-Version".equals(p.getName()));
    if (realm && !versioned) {
      op.addParametersItem(
          new Parameter()
              .in("header")
              .name("X-Supabase-Api-Version")
              .description("2024-01-01: errors as {code, message} (as @supabase/auth-js sends it)")
              .schema(typed("string")));
    }
  }

  /** The credential a path needs: null for the realm's public endpoints. */
  private static String scheme(String path) {
    if (path.startsWith("/v1/runtime/")) {
      return RUNTIME_TOKEN;
    }
    if (path.startsWith("/v1/storage/")) {
      return STORAGE_KEY;
    }
    if (path.startsWith("/v1/auth/")) {
      return path.endsWith("/user") || path.endsWith("/logout") ? REALM_JWT : null;
    }
    return ADMIN_TOKEN;
  }

  /** The env fetch reads its parameters from the request itself (see RuntimeEnvController). */
  private static void runtimeEnv(Operation op) {
    if (op.getParameters() != null
        && op.getParameters().stream().anyMatch(p -> "format".equals(p.getName()))) {
      return; // completed already
    }
    op.addParametersItem(
        new Parameter()
            .in("query")
            .name("format")
            .description("dotenv: a dotenv file; shell: `export NAME='value'` lines for eval")
            .schema(typed("string")._enum(List.of("json", "dotenv", "shell"))));
    Schema<?> vars = typed("object").additionalProperties(typed("string"));
    Schema<?> text = typed("string");
    op.getResponses()
        .addApiResponse(
            "200",
            new ApiResponse()
                .description("the variables; `Accept: text/plain` also asks for dotenv")
                .content(
                    new Content()
                        .addMediaType(JSON, new MediaType().schema(vars))
                        .addMediaType("text/plain", new MediaType().schema(text))
                        .addMediaType("text/x-shellscript", new MediaType().schema(text))));
  }

  /** Adds the error answers: problem details, or GoTrue's errors on the realm API. */
  private static void errors(
      String key, Operation op, boolean realm, boolean secured, Schemas schemas) {
    ApiResponses responses = op.getResponses();
    Content error =
        realm
            ? new Content()
                .addMediaType(
                    JSON, new MediaType().schema(schemas.ref(ContractShapes.GoTrueError.class)))
            : new Content()
                .addMediaType(
                    PROBLEM_JSON,
                    new MediaType().schema(schemas.ref(ContractShapes.Problem.class)));
    boolean input =
        op.getRequestBody() != null
            || (op.getParameters() != null
                && op.getParameters().stream().anyMatch(p -> "query".equals(p.getIn())));
    boolean pathParams =
        op.getParameters() != null
            && op.getParameters().stream().anyMatch(p -> "path".equals(p.getIn()));
    if (input) {
      responses.putIfAbsent(
          "400",
          new ApiResponse().description("invalid input, naming each bad field").content(error));
    }
    if (secured) {
      ApiResponse unauthorized =
          new ApiResponse().description("missing, bad, expired or revoked token").content(error);
      if (!realm) {
        unauthorized.addHeaderObject(
            "WWW-Authenticate", new Header().schema(typed("string")).example("Bearer"));
      }
      responses.putIfAbsent("401", unauthorized);
    }
    String conflict = OperationNotes.CONFLICTS.get(key);
    if (conflict != null) {
      responses.putIfAbsent(
          "409", new ApiResponse().description("conflict: " + conflict).content(error));
    }
    if (pathParams) {
      responses.putIfAbsent(
          "404",
          new ApiResponse().description("a resource the path names does not exist").content(error));
    }
    responses.putIfAbsent(
        "default", new ApiResponse().description("any other refusal or failure").content(error));
  }

  /**
   * A handler's {@code Map.of("items", list)} is inferred as a map of arrays: the document says
   * {@code {"items": [...]}} instead, the shape of every list answer of the API.
   */
  private static void namedItems(ApiResponse r) {
    if (r.getContent() == null) {
      return;
    }
    r.getContent()
        .values()
        .forEach(
            media -> {
              Schema<?> s = media.getSchema();
              if (s != null
                  && s.get$ref() == null
                  && (s.getProperties() == null || s.getProperties().isEmpty())
                  && s.getAdditionalProperties() instanceof Schema<?> values
                  && values.getItems() != null) {
                media.schema(
                    typed("object").addProperty("items", values).required(List.of("items")));
              }
            });
  }

  private static String describe(String status) {
    return switch (status) {
      case "200" -> "OK";
      case "201" -> "Created";
      case "202" -> "Accepted";
      default -> status;
    };
  }
}
