package dev.miosa.data.api.runtime;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The runtime env listener ({@code MIOSA_RUNTIME_LISTENER_*}): {@code GET /v1/runtime/env} on a
 * port of its own, for fleets that boot many instances at once. The same route stays served on the
 * main port.
 *
 * @param port the TCP port ({@code MIOSA_RUNTIME_LISTENER_PORT}); {@code -1} (the default) turns
 *     the listener off, {@code 0} picks a free port
 * @param address the address to bind ({@code MIOSA_RUNTIME_LISTENER_ADDRESS}); unset: every
 *     interface, like the main port
 * @param ioThreads event loop threads; {@code 0} (the default): one per processor
 */
@ConfigurationProperties("miosa.runtime-listener")
public record RuntimeListenerProperties(
    @DefaultValue("-1") int port, String address, @DefaultValue("0") int ioThreads) {

  /** Whether the listener runs. */
  public boolean enabled() {
    return port >= 0;
  }
}
