package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI contract: the document served at {@code /v3/api-docs} is valid OpenAPI 3.1, equals
 * the committed {@code docs/openapi.json} (so it changes only on purpose), and lists exactly the
 * routes Spring serves under {@code /v1/}. Rewrite the committed copy with {@code ./mvnw -pl api
 * -am verify -Dit.test=OpenApiContractIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dopenapi.write=true}.
 */
class OpenApiContractIT extends ApiTestBase {

  /** The committed copy, relative to the api module's directory (Surefire's working dir). */
  static final Path COMMITTED = Path.of("..", "docs", "openapi.json");

  private static final JsonMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private String served() {
    var res = anonymous().get("/v3/api-docs");
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.body();
  }

  @Test
  void servedDocumentEqualsTheCommittedCopy() throws Exception {
    JsonNode served = Http.JSON.readTree(served());
    String pretty = PRETTY.writeValueAsString(served) + "\n";
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "openapi.json"), pretty, StandardCharsets.UTF_8);
    if (Boolean.getBoolean("openapi.write")) {
      Files.writeString(COMMITTED, pretty, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(COMMITTED))
        .as("docs/openapi.json is missing; " + HOW_TO_REGENERATE)
        .isTrue();
    JsonNode committed = Http.JSON.readTree(Files.readString(COMMITTED, StandardCharsets.UTF_8));
    List<String> differences = new ArrayList<>();
    diff("$", committed, served, differences);
    assertThat(differences)
        .as(
            "the OpenAPI document served at /v3/api-docs (written to api/target/openapi.json)"
                + " differs from docs/openapi.json at these places. If the contract is"
                + " meant to change, "
                + HOW_TO_REGENERATE
                + " and commit docs/openapi.json with the change")
        .isEmpty();
  }

  /** Collects where two documents differ (at most 30 places), as {@code paths["/v1/x"].get}. */
  private static void diff(String at, JsonNode expected, JsonNode actual, List<String> out) {
    if (out.size() >= 30 || expected.equals(actual)) {
      return;
    }
    if (expected.isObject() && actual.isObject()) {
      Set<String> names = new TreeSet<>(expected.propertyNames());
      names.addAll(actual.propertyNames());
      for (String name : names) {
        String child = at + (name.matches("[A-Za-z0-9_$-]+") ? "." + name : "[\"" + name + "\"]");
        if (!expected.has(name)) {
          out.add(child + " added");
        } else if (!actual.has(name)) {
          out.add(child + " removed");
        } else {
          diff(child, expected.get(name), actual.get(name), out);
        }
      }
    } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        diff(at + "[" + i + "]", expected.get(i), actual.get(i), out);
      }
    } else {
      out.add(at + " changed");
    }
  }

  private static final String HOW_TO_REGENERATE =
      "regenerate it with: ./mvnw -pl api -am verify -Dit.test=OpenApiContractIT -Dtest=none"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false"
          + " -Dopenapi.write=true";

  @Test
  void servedDocumentIsValidOpenApi31() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIParser().readContents(served(), null, options);
    assertThat(result.getOpenAPI()).as("parsed").isNotNull();
    assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1.");
    assertThat(result.getMessages()).as("validation messages").isEmpty();
  }

  @Test
  void everyOperationHasAnIdASummaryAndItsErrorAnswers() {
    List<String> incomplete = new ArrayList<>();
    Set<String> ids = new TreeSet<>();
    Http.JSON
        .readTree(served())
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method -> {
                          JsonNode op = method.getValue();
                          if (!op.has("responses")) {
                            return; // path-level parameters
                          }
                          String where = method.getKey() + " " + path.getKey();
                          if (op.path("summary").asString("").isBlank()) {
                            incomplete.add(where + ": no summary");
                          }
                          if (!ids.add(op.path("operationId").asString(""))) {
                            incomplete.add(where + ": missing or repeated operationId");
                          }
                          if (!op.path("responses").has("default")) {
                            incomplete.add(where + ": no default (error) answer");
                          }
                        }));
    assertThat(incomplete).isEmpty();
  }

  @Test
  void swaggerUiIsServed() {
    var redirect = anonymous().get("/swagger-ui.html");
    assertThat(redirect.status()).as(redirect.body()).isEqualTo(302);
    assertThat(redirect.header("Location")).endsWith("/swagger-ui/index.html");
    var ui = anonymous().get("/swagger-ui/index.html");
    assertThat(ui.status()).isEqualTo(200);
    assertThat(ui.body()).contains("swagger-ui");
  }

  @Test
  void documentListsExactlyTheV1Routes() {
    Set<String> routes = new TreeSet<>();
    mappings
        .getHandlerMethods()
        .keySet()
        .forEach(
            info ->
                info.getPatternValues().stream()
                    .filter(p -> p.startsWith("/v1/"))
                    .forEach(
                        p ->
                            info.getMethodsCondition()
                                .getMethods()
                                .forEach(m -> routes.add(m.name() + " " + p))));
    Set<String> documented = new TreeSet<>();
    Http.JSON
        .readTree(served())
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .propertyNames()
                    .forEach(
                        method -> {
                          if (Set.of("get", "put", "post", "delete", "patch").contains(method)) {
                            documented.add(method.toUpperCase() + " " + path.getKey());
                          }
                        }));
    assertThat(routes).as("routes").isNotEmpty();
    assertThat(documented).as("documented operations vs Spring's /v1 routes").isEqualTo(routes);
  }
}
