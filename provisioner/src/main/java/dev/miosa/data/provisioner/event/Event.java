package dev.miosa.data.provisioner.event;

import java.util.Map;

/**
 * Something that happened to a project's data, told to webhook endpoints. The data holds ids and
 * names only, never a secret value.
 *
 * @param type one of {@link EventTypes}
 * @param projectId the project it concerns, or null for none
 * @param data JSON-ready values (String, Number, Boolean, Map, List) naming what changed
 */
public record Event(String type, String projectId, Map<String, Object> data) {}
