package dev.miosa.data.provisioner.event;

/**
 * Records events for delivery. An implementation writes to a durable outbox in the caller's
 * transaction (when one is active), so an event exists exactly when the change it tells of was
 * committed.
 */
public interface EventPublisher {

  /** Records nothing. */
  EventPublisher NONE = event -> {};

  /**
   * Records an event, in the current transaction if there is one.
   *
   * @param event the event; its data must hold no secret
   */
  void publish(Event event);
}
