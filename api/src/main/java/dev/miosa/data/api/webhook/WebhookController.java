package dev.miosa.data.api.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Operator API: webhook endpoints and their deliveries (admin token only, SecurityConfig). */
@RestController
@Tag(name = "webhooks")
@RequestMapping("/v1/webhooks")
class WebhookController {

  /**
   * Body of {@code POST /v1/webhooks}.
   *
   * @param url where events are POSTed: an http or https URL whose host is an allowed target
   * @param events {@code ["*"]} for every type, or event type names ({@code operation.succeeded},
   *     ...)
   * @param project the project (id or slug) whose events are sent; every project's when omitted
   */
  record CreateWebhookRequest(
      @NotNull(message = "is required")
          @Size(max = 2000, message = "must be at most 2000 characters")
          String url,
      @NotEmpty(message = "must name at least one event type, or *")
          @Size(max = 20, message = "must name at most 20 event types")
          List<
                  @NotNull(message = "must not be null")
                  @Size(max = 64, message = "must be at most 64 characters") String>
              events,
      @Pattern(regexp = "^[A-Za-z0-9_-]{1,64}$", message = "must be a project id or slug")
          String project) {}

  /**
   * A webhook endpoint, without its secret.
   *
   * @param id the endpoint's id ({@code whk_...})
   * @param url where events are POSTed
   * @param events the subscribed event types ({@code *} for all)
   * @param projectId the project whose events are sent, or null for every project
   * @param createdAt when it was registered
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record WebhookView(
      String id, String url, List<String> events, String projectId, Instant createdAt) {
    static WebhookView of(Webhooks.Endpoint e) {
      return new WebhookView(e.id(), e.url(), e.events(), e.projectId(), e.createdAt());
    }
  }

  /**
   * A webhook endpoint just registered, with its signing secret (shown this once).
   *
   * @param secret {@code whsec_} and base64 of the HMAC key; keep it to verify signatures
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record WebhookCreated(
      String id,
      String url,
      List<String> events,
      String projectId,
      Instant createdAt,
      String secret) {
    @Override
    public String toString() {
      return "WebhookCreated[id=" + id + ", url=" + url + ", secret=***]";
    }
  }

  private final Webhooks webhooks;

  WebhookController(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  @Operation(
      operationId = "createWebhook",
      summary = "Register a webhook endpoint; answers its signing secret once")
  @ApiResponse(
      responseCode = "201",
      description = "the endpoint with its signing secret",
      content = @Content(schema = @Schema(implementation = WebhookCreated.class)))
  @PostMapping
  ResponseEntity<WebhookCreated> create(@Valid @RequestBody CreateWebhookRequest body) {
    Webhooks.Created c = webhooks.register(body.url(), body.events(), body.project());
    Webhooks.Endpoint e = c.endpoint();
    return ResponseEntity.created(URI.create("/v1/webhooks/" + e.id()))
        .body(
            new WebhookCreated(
                e.id(), e.url(), e.events(), e.projectId(), e.createdAt(), c.secret().reveal()));
  }

  @Operation(operationId = "listWebhooks", summary = "List webhook endpoints (without secrets)")
  @GetMapping
  Map<String, List<WebhookView>> list() {
    return Map.of("items", webhooks.list().stream().map(WebhookView::of).toList());
  }

  @Operation(operationId = "getWebhook", summary = "Get a webhook endpoint (without its secret)")
  @GetMapping("/{id}")
  WebhookView get(@PathVariable String id) {
    return WebhookView.of(webhooks.find(id));
  }

  @Operation(
      operationId = "deleteWebhook",
      summary = "Delete a webhook endpoint; its pending deliveries are dropped")
  @ApiResponse(responseCode = "204", description = "deleted")
  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(@PathVariable String id) {
    webhooks.delete(id);
    return ResponseEntity.noContent().build();
  }

  @Operation(
      operationId = "listWebhookDeliveries",
      summary = "The newest deliveries of an endpoint: state, attempts, last answer")
  @GetMapping("/{id}/deliveries")
  Map<String, List<Webhooks.Delivery>> deliveries(@PathVariable String id) {
    return Map.of("items", webhooks.deliveries(id));
  }
}
