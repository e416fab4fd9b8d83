package dev.miosa.data.provisioner.resource;

import java.util.Map;

/**
 * A resource joined with what names it: its data service, project and environment.
 *
 * @param id resource id
 * @param serviceId data service id
 * @param serviceType data service type
 * @param serviceName data service name
 * @param serviceState {@code active | deleting | deleted}
 * @param config the data service's config
 * @param projectId project id
 * @param projectSlug project slug
 * @param environmentId environment id
 * @param environmentName environment name
 * @param desired {@code present | disabled | absent}
 * @param phase {@code provisioning | ready | failed | disabling | disabled | deleting | deleted}
 * @param backend backend server id
 * @param attributes recorded non-secret attributes
 * @param secrets stored ciphertexts by name
 * @param error last error message, or null
 */
public record ResourceRow(
    String id,
    String serviceId,
    String serviceType,
    String serviceName,
    String serviceState,
    Map<String, Object> config,
    String projectId,
    String projectSlug,
    String environmentId,
    String environmentName,
    String desired,
    String phase,
    String backend,
    Map<String, String> attributes,
    Map<String, String> secrets,
    String error) {}
