package dev.miosa.data.api;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/** Test helper: rotating credentials through the api. */
final class Rotations {

  private Rotations() {}

  /** Asks for a rotation (expects {@code 202}) and waits for its operation; returns it. */
  static JsonNode rotateAndWait(
      Http admin, String slug, String service, String environment, int graceSeconds) {
    var res =
        admin.post(
            "/v1/projects/" + slug + "/services/" + service + "/credentials/rotate",
            "{\"environment\":\"" + environment + "\",\"graceSeconds\":" + graceSeconds + "}");
    if (res.status() != 202) {
      throw new AssertionError("rotate failed: " + res.status() + " " + res.body());
    }
    return admin.awaitOperation(res.json().path("id").asString(), Duration.ofSeconds(60));
  }
}
