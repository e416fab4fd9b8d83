package dev.miosa.data.api.runtime;

import dev.miosa.data.api.runtime.RuntimeTokenService.RuntimePrincipal;
import dev.miosa.data.api.security.BearerTokenConverter;
import dev.miosa.data.api.web.ProblemHandler;
import dev.miosa.data.credentials.EnvFormat;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The boot-time env fetch on a port of its own ({@link RuntimeListenerProperties}), served by Netty
 * without the servlet container: a fleet booting at once is served near the line rate of the
 * machine.
 *
 * <p>It serves exactly one route and nothing else: {@code GET /v1/runtime/env} with an optional
 * query ({@code format}). The path is compared byte for byte with that string, without decoding or
 * normalizing, so no other spelling reaches it (they all get {@code 404}). The caller must present
 * a runtime token ({@code Authorization: Bearer mrt_...}), checked by the same {@link
 * RuntimeTokenService} look-up as on the main port; the answer is the same {@link EnvFetch}. Errors
 * are RFC 9457 problem details.
 *
 * <p>Requests are answered on the event loop when the token and the variables are in memory (the
 * steady state); otherwise the request goes to a virtual thread that may block on the store, and
 * later requests of the same connection queue behind it so that answers keep their order.
 */
@Component
public class RuntimeEnvListener implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RuntimeEnvListener.class);

  /** The one path served. */
  static final String PATH = "/v1/runtime/env";

  private static final AttributeKey<CompletableFuture<Void>> PENDING =
      AttributeKey.valueOf("miosa.pending");

  private final RuntimeListenerProperties props;
  private final RuntimeTokenService tokens;
  private final EnvFetch envFetch;
  private final JsonMapper json;
  private final SimpleAsyncTaskExecutor blocking = new SimpleAsyncTaskExecutor("runtime-env-");
  private EventLoopGroup group;
  private Channel server;
  private volatile int boundPort = -1;

  RuntimeEnvListener(
      RuntimeListenerProperties props,
      RuntimeTokenService tokens,
      EnvFetch envFetch,
      JsonMapper json) {
    this.props = props;
    this.tokens = tokens;
    this.envFetch = envFetch;
    this.json = json;
    // Virtual threads where the JDK has them (21+); else platform threads, at most 256 at once.
    if (Runtime.version().feature() >= 21) {
      blocking.setVirtualThreads(true);
    } else {
      blocking.setConcurrencyLimit(256);
    }
  }

  /** The bound port, or {@code -1} when the listener is off. */
  public int port() {
    return boundPort;
  }

  @Override
  public synchronized void start() {
    if (!props.enabled() || server != null) {
      return;
    }
    group = new MultiThreadIoEventLoopGroup(props.ioThreads(), NioIoHandler.newFactory());
    ChannelHandler handler = new Handler();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(handler);
                  }
                });
    InetSocketAddress address =
        props.address() == null || props.address().isBlank()
            ? new InetSocketAddress(props.port())
            : new InetSocketAddress(props.address(), props.port());
    try {
      server = bootstrap.bind(address).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the runtime listener", e);
    }
    boundPort = ((InetSocketAddress) server.localAddress()).getPort();
    log.info("runtime env listener: GET {} on {}:{}", PATH, address.getHostString(), boundPort);
  }

  @Override
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    blocking.close();
    server = null;
    boundPort = -1;
  }

  @Override
  public synchronized boolean isRunning() {
    return server != null;
  }

  /** The parts of a request the answer depends on, copied off Netty's buffers. */
  private record Request(
      String token, String format, String accept, String ifNoneMatch, boolean keepAlive) {}

  @ChannelHandler.Sharable
  private final class Handler extends SimpleChannelInboundHandler<HttpObject> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest req)) {
        return; // request bodies are ignored: GET only
      }
      if (!req.decoderResult().isSuccess()) {
        write(ctx, problem(ErrorCode.INVALID_REQUEST, "malformed request", List.of()), false);
        return;
      }
      String uri = req.uri();
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      if (!PATH.equals(path)) {
        write(ctx, problem(ErrorCode.NOT_FOUND, "this port serves GET " + PATH, List.of()), true);
        return;
      }
      if (!HttpMethod.GET.equals(req.method())) {
        FullHttpResponse res =
            problem(ErrorCode.METHOD_NOT_ALLOWED, "only GET is served here", List.of());
        res.headers().set(HttpHeaderNames.ALLOW, "GET");
        write(ctx, res, true);
        return;
      }
      HttpHeaders h = req.headers();
      String format = null;
      if (q >= 0) {
        List<String> values;
        try {
          values = new QueryStringDecoder(uri).parameters().getOrDefault("format", List.of());
        } catch (IllegalArgumentException e) {
          write(
              ctx,
              problem(
                  ErrorCode.INVALID_REQUEST,
                  "the query string is not validly percent-encoded",
                  List.of(new FieldError("query", "is not validly percent-encoded"))),
              true);
          return;
        }
        format = values.isEmpty() ? null : values.get(0);
      }
      Request r =
          new Request(
              // Several Authorization headers authenticate nothing (401), never the first one.
              h.getAll(HttpHeaderNames.AUTHORIZATION).size() > 1
                  ? null
                  : BearerTokenConverter.tokenOf(h.get(HttpHeaderNames.AUTHORIZATION)),
              format,
              h.get(HttpHeaderNames.ACCEPT),
              h.get(HttpHeaderNames.IF_NONE_MATCH),
              HttpUtil.isKeepAlive(req));
      CompletableFuture<Void> pending = ctx.channel().attr(PENDING).get();
      if (pending != null && !pending.isDone()) {
        // An earlier request of this connection is still answered elsewhere: keep the order.
        ctx.channel().attr(PENDING).set(pending.thenRunAsync(() -> answer(ctx, r), blocking));
        return;
      }
      if (answerIfCached(ctx, r)) {
        return;
      }
      ctx.channel().attr(PENDING).set(CompletableFuture.runAsync(() -> answer(ctx, r), blocking));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("runtime listener: closing a connection after {}", cause.toString());
      ctx.close();
    }
  }

  /** Answers on the event loop when nothing would block; false when it would. */
  private boolean answerIfCached(ChannelHandlerContext ctx, Request r) {
    if (r.token() == null) {
      write(ctx, respond(Optional.empty(), r), r.keepAlive());
      return true;
    }
    RuntimeTokenService.CachedLookup lookup = tokens.authenticateIfCached(r.token());
    if (!lookup.cached()
        || lookup.principal().isPresent()
            && !envFetch.cached(lookup.principal().get().environmentId())) {
      return false;
    }
    write(ctx, respond(lookup.principal(), r), r.keepAlive());
    return true;
  }

  /** Answers a request, blocking on the store if need be (on a virtual thread). */
  private void answer(ChannelHandlerContext ctx, Request r) {
    FullHttpResponse res;
    try {
      res = respond(r.token() == null ? Optional.empty() : tokens.authenticate(r.token()), r);
    } catch (RuntimeException e) {
      log.error("runtime listener: env fetch failed", e);
      res =
          problem(
              ErrorCode.UNAVAILABLE, "the variables cannot be read right now; retry", List.of());
    }
    write(ctx, res, r.keepAlive());
  }

  private FullHttpResponse respond(Optional<RuntimePrincipal> principal, Request r) {
    if (principal.isEmpty()) {
      FullHttpResponse res =
          problem(
              ErrorCode.UNAUTHORIZED,
              "a valid, unexpired, unrevoked runtime token is required",
              List.of());
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      return res;
    }
    EnvFormat format;
    try {
      format = EnvFetch.negotiate(r.format(), r.accept());
    } catch (MiosaException e) {
      return problem(e.code(), e.getMessage(), e.errors());
    }
    EnvFetch.Answer a;
    try {
      a = envFetch.fetch(principal.get(), format, r.ifNoneMatch());
    } catch (MiosaException e) {
      return problem(e.code(), e.getMessage(), e.errors()); // e.g. the audit backlog is full
    }
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            a.notModified() ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(a.body()));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, a.contentType())
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set(HttpHeaderNames.ETAG, a.etag());
    return res;
  }

  private FullHttpResponse problem(ErrorCode code, String detail, List<FieldError> errors) {
    Map<String, Object> body = ProblemHandler.body(code, detail, errors);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(ProblemHandler.status(code).value()),
            Unpooled.wrappedBuffer(json.writeValueAsBytes(body)));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
    if (code == ErrorCode.UNAVAILABLE) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
    }
    return res;
  }

  private static void write(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
    HttpUtil.setContentLength(res, res.content().readableBytes());
    HttpUtil.setKeepAlive(res, keepAlive);
    var future = ctx.writeAndFlush(res);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
