package dev.miosa.data.volumes;

/**
 * A volume as the control plane records it: a resource of a {@code volume} data service in one
 * environment, whose image exists.
 *
 * @param resourceId the resource id (also names its directory under the volume root)
 * @param sizeGiB the image's current size
 * @param fencingToken the highest fencing token handed out so far (0 before the first attachment)
 * @param projectId the project
 * @param serviceId the data service
 * @param serviceName the data service's name
 * @param environmentId the environment
 * @param environmentName the environment's name
 * @param usable whether it may be attached: the resource is ready and neither it, its data service
 *     nor its environment is being deleted
 */
public record Volume(
    String resourceId,
    int sizeGiB,
    long fencingToken,
    String projectId,
    String serviceId,
    String serviceName,
    String environmentId,
    String environmentName,
    boolean usable) {}
