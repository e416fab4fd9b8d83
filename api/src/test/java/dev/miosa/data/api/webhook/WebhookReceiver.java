package dev.miosa.data.api.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A webhook target for tests: a local JDK HTTP server that records every request (headers and
 * body), answers what {@code answer} says for the n-th request (1-based; a negative status blocks
 * until {@link #release}), and tracks how many requests of one {@code webhook-id} overlap.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One received request. */
  public record Received(
      String id, String timestamp, String signature, String body, int answered) {}

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger maxOverlap = new AtomicInteger();
  private final AtomicInteger count = new AtomicInteger();
  private final Object gate = new Object();
  private boolean released;

  /**
   * @param answer status for the n-th request (negative: hang until released); 3xx answers carry a
   *     {@code Location} to {@code /elsewhere} of this server
   */
  public WebhookReceiver(IntFunction<Integer> answer) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          String id = exchange.getRequestHeaders().getFirst("webhook-id");
          AtomicInteger overlap =
              inFlight.computeIfAbsent(String.valueOf(id), k -> new AtomicInteger());
          maxOverlap.accumulateAndGet(overlap.incrementAndGet(), Math::max);
          try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = answer.apply(count.incrementAndGet());
            received.add(
                new Received(
                    id,
                    exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    exchange.getRequestHeaders().getFirst("webhook-signature"),
                    new String(body, StandardCharsets.UTF_8),
                    Math.abs(status)));
            if (status < 0) {
              waitForRelease();
              status = -status;
            }
            if (status >= 300 && status < 400) {
              exchange.getResponseHeaders().add("Location", url() + "elsewhere");
            }
            exchange.sendResponseHeaders(status, -1);
          } finally {
            overlap.decrementAndGet();
            exchange.close();
          }
        });
    server.start();
  }

  private void waitForRelease() {
    synchronized (gate) {
      while (!released) {
        try {
          gate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Lets hanging requests answer. */
  public void release() {
    synchronized (gate) {
      released = true;
      gate.notifyAll();
    }
  }

  /** The server's base URL, ending in a slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** The port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** What was received so far. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** The most requests of one webhook-id that were ever being answered at once. */
  public int maxOverlap() {
    return maxOverlap.get();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
