package dev.miosa.data.api.runtime;

import dev.miosa.data.api.security.MiosaAuthentication;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.context.SecurityContextHolder;

/** The runtime token that authenticated the current request (set by the security chain). */
public final class RuntimeCaller {

  private RuntimeCaller() {}

  /**
   * The scope of the current request's runtime token.
   *
   * @return the principal: token id, project, environment and instance
   * @throws AccessDeniedException when the request was not authenticated by a runtime token
   */
  public static RuntimeTokenService.RuntimePrincipal current() {
    if (SecurityContextHolder.getContext().getAuthentication() instanceof MiosaAuthentication a
        && a.runtimePrincipal() != null) {
      return a.runtimePrincipal();
    }
    throw new AccessDeniedException("a runtime token is required");
  }
}
