package dev.miosa.data.api.webhook;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * Plain sockets that refuse to connect to an address the {@link TargetPolicy} refuses. The check
 * runs on the resolved address handed to {@link Socket#connect}, the one the connection is opened
 * to, so it holds whatever a host name resolved to at registration (DNS rebinding) and however the
 * URL spelled it. TLS is layered on these sockets by the HTTP client, so HTTPS is checked too.
 */
final class GuardedSocketFactory extends SocketFactory {

  /** A connection refused by the policy; the delivery records its message. */
  static final class RefusedTargetException extends ConnectException {
    private static final long serialVersionUID = 1L;

    RefusedTargetException(String message) {
      super(message);
    }
  }

  private final TargetPolicy policy;

  GuardedSocketFactory(TargetPolicy policy) {
    this.policy = policy;
  }

  @Override
  public Socket createSocket() {
    return new GuardedSocket(policy);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private Socket connected(InetSocketAddress to, InetSocketAddress local) throws IOException {
    Socket s = new GuardedSocket(policy);
    if (local != null) {
      s.bind(local);
    }
    s.connect(to);
    return s;
  }

  private static final class GuardedSocket extends Socket {
    private final TargetPolicy policy;

    GuardedSocket(TargetPolicy policy) {
      this.policy = policy;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress inet) || inet.getAddress() == null) {
        close();
        throw new RefusedTargetException("the webhook target did not resolve to an address");
      }
      var refused = policy.refusal(inet.getAddress());
      if (refused.isPresent()) {
        close();
        throw new RefusedTargetException(refused.get());
      }
      super.connect(endpoint, timeout);
    }
  }
}
