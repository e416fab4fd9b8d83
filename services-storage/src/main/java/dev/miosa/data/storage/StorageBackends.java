package dev.miosa.data.storage;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The object stores buckets are placed on, each with its MinIO SDK clients, by backend id. */
public final class StorageBackends implements AutoCloseable {

  private final Map<String, StorageClients> clients = new LinkedHashMap<>();

  /**
   * @param servers the stores, at least one, with distinct ids
   * @throws IllegalArgumentException when the list is empty or an id repeats
   */
  public StorageBackends(List<StorageServer> servers) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one object store is needed");
    }
    for (StorageServer s : servers) {
      if (clients.putIfAbsent(s.id(), new StorageClients(s)) != null) {
        throw new IllegalArgumentException("object store id '" + s.id() + "' is given twice");
      }
    }
  }

  /** The backend ids, in the order given. */
  public List<String> ids() {
    return List.copyOf(clients.keySet());
  }

  /**
   * The clients of one store.
   *
   * @param backend the backend id recorded on a resource
   * @return its clients
   * @throws MiosaException {@code 503} when no store of that id is configured
   */
  public StorageClients get(String backend) {
    StorageClients c = clients.get(backend);
    if (c == null) {
      throw new MiosaException(
          ErrorCode.BACKEND_UNAVAILABLE, "object store '" + backend + "' is not configured");
    }
    return c;
  }

  @Override
  public void close() {
    clients.values().forEach(StorageClients::close);
  }
}
