package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code volume.attached} / {@code volume.detached} events of instances' attachments. */
final class VolumeEvents {

  private VolumeEvents() {}

  /**
   * Publishes a volume event of an instance's attachment (never of an operation's hold), in the
   * caller's transaction. The data names ids, the environment, the instance and the fencing token.
   */
  static void tell(EventPublisher events, String type, Volume v, Attachment a, String reason) {
    if (!Holder.INSTANCE.equals(a.holderKind())) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("projectId", v.projectId());
    data.put("serviceId", v.serviceId());
    data.put("serviceName", v.serviceName());
    data.put("resourceId", v.resourceId());
    data.put("environmentId", v.environmentId());
    data.put("environment", v.environmentName());
    data.put("instanceId", a.holder());
    data.put("attachmentId", a.id());
    data.put("fencingToken", a.fencingToken());
    if (reason != null) {
      data.put("reason", reason);
    }
    events.publish(new Event(type, v.projectId(), data));
  }
}
