package dev.miosa.data.api.security;

import dev.miosa.data.api.runtime.RuntimeTokenService.RuntimePrincipal;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An authenticated caller: the operator (admin token, role {@code ADMIN}) or a runtime instance
 * (runtime token, role {@code RUNTIME}, scoped to one project environment and optionally one
 * instance). Holds no token text.
 */
public final class MiosaAuthentication extends AbstractAuthenticationToken {

  /** The authority of the admin token. */
  public static final String ADMIN = "ROLE_ADMIN";

  /** The authority of a runtime token. */
  public static final String RUNTIME = "ROLE_RUNTIME";

  private static final MiosaAuthentication OPERATOR = new MiosaAuthentication(null);

  private final RuntimePrincipal runtime;

  private MiosaAuthentication(RuntimePrincipal runtime) {
    super(List.of(new SimpleGrantedAuthority(runtime == null ? ADMIN : RUNTIME)));
    this.runtime = runtime;
    setAuthenticated(true);
  }

  /** The operator, authenticated by the admin token. */
  static MiosaAuthentication operator() {
    return OPERATOR;
  }

  /** A runtime instance, authenticated by a runtime token. */
  static MiosaAuthentication runtime(RuntimePrincipal principal) {
    return new MiosaAuthentication(principal);
  }

  /** The runtime token's scope, or null for the operator. */
  public RuntimePrincipal runtimePrincipal() {
    return runtime;
  }

  /**
   * The audit actor: {@code admin} or {@code runtime-token:<token id>}.
   *
   * @return the actor recorded in the audit log
   */
  public String actor() {
    return runtime == null ? "admin" : "runtime-token:" + runtime.tokenId();
  }

  /**
   * The audit actor of the current request.
   *
   * @return {@link #actor()} of the authenticated caller, or {@code anonymous}
   */
  public static String currentActor() {
    return org.springframework.security.core.context.SecurityContextHolder.getContext()
                .getAuthentication()
            instanceof MiosaAuthentication a
        ? a.actor()
        : "anonymous";
  }

  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public Object getPrincipal() {
    return runtime == null ? "admin" : runtime;
  }
}
