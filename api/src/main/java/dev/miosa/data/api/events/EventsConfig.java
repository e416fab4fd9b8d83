package dev.miosa.data.api.events;

import dev.miosa.data.provisioner.event.EventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the {@link EventPublisher} that the control plane's changes report to. */
@Configuration(proxyBeanMethods = false)
public class EventsConfig {

  /** Until the webhook outbox exists, events are dropped. */
  @Bean
  EventPublisher eventPublisher() {
    return EventPublisher.NONE;
  }
}
