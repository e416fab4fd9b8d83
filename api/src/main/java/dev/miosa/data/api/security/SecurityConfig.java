package dev.miosa.data.api.security;

import dev.miosa.data.api.config.AdminToken;
import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.api.web.RequestLimits;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.session.DisableEncodeUrlFilter;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge: one stateless Spring Security filter chain, deny by default. Who may call what is
 * declared here, matched on the path Spring routes (path patterns on the decoded, normalized path),
 * behind the {@link StrictHttpFirewall}, which rejects paths that are not in canonical form.
 *
 * <ul>
 *   <li>{@code /v1/runtime/**}: a runtime token (role {@code RUNTIME}).
 *   <li>The storage signing API ({@code POST /v1/storage/{id}/signed-urls}, {@code
 *       /objects/finalize}) and the auth realm API ({@code /v1/auth/{realm}/**}): reached through
 *       the chain without a platform token; they check their own credentials ({@code STORAGE_KEY},
 *       realm JWTs).
 *   <li>Every other {@code /v1/**} and the actuator beyond health: the admin token (role {@code
 *       ADMIN}).
 *   <li>Health, the OpenAPI document and Swagger UI: public.
 *   <li>Anything else: refused ({@code 401} without a token, {@code 403} with one).
 * </ul>
 *
 * No sessions, no CSRF (bearer tokens only, never cookies), no login page, no HTTP Basic.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

  /**
   * The firewall: Spring Security's strict one with its defaults (rejects {@code ;}, encoded {@code
   * /}, {@code .} and {@code %}, {@code //}, {@code /./}, {@code /../}, backslash, control
   * characters and unusual methods).
   */
  @Bean
  HttpFirewall httpFirewall() {
    return new StrictHttpFirewall();
  }

  /**
   * No Micrometer observation around each security filter, authentication and authorization:
   * measured on the env fetch, those observations cost more CPU than the filters themselves.
   * Request metrics ({@code http.server.requests}) stay.
   */
  @Bean
  SecurityObservationSettings securityObservationSettings() {
    return SecurityObservationSettings.noObservations();
  }

  @Bean
  ProblemResponses problemResponses(JsonMapper json) {
    return new ProblemResponses(json);
  }

  @Bean
  RequestRejectedHandler requestRejectedHandler(ProblemResponses problems) {
    return problems.rejected();
  }

  /**
   * The two bearer token kinds, each its own provider. Being a bean, it also keeps Spring Boot from
   * creating its default in-memory user with a generated password.
   */
  @Bean
  ProviderManager bearerTokenAuthenticationManager(
      AdminToken adminToken, RuntimeTokenService runtimeTokens) {
    return new ProviderManager(
        new AdminTokenAuthenticationProvider(adminToken),
        new RuntimeTokenAuthenticationProvider(runtimeTokens));
  }

  @Bean
  SecurityFilterChain securityFilterChain(
      HttpSecurity http, ProviderManager tokens, ProblemResponses problems, JsonMapper json)
      throws Exception {
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    // The storage signing and auth realm APIs carry their own bearer credentials.
    // Public routes ignore any Authorization header (a load balancer's health check may carry one).
    RequestMatcher ownCredentials =
        new OrRequestMatcher(
            path.matcher("/v1/storage/**"),
            path.matcher("/v1/auth/**"),
            path.matcher(HttpMethod.GET, "/actuator/health"),
            path.matcher(HttpMethod.GET, "/actuator/health/**"),
            path.matcher(HttpMethod.GET, "/v3/api-docs"),
            path.matcher(HttpMethod.GET, "/v3/api-docs/**"),
            path.matcher(HttpMethod.GET, "/swagger-ui.html"),
            path.matcher(HttpMethod.GET, "/swagger-ui/**"));

    AuthenticationFilter bearer = new AuthenticationFilter(tokens, new BearerTokenConverter());
    bearer.setRequestMatcher(new NegatedRequestMatcher(ownCredentials));
    bearer.setSuccessHandler((request, response, authentication) -> {});
    AuthenticationEntryPointFailureHandler failure =
        new AuthenticationEntryPointFailureHandler(problems.unauthorized());
    // A token the store could not check is answered 503 by the entry point, not rethrown (500).
    failure.setRethrowAuthenticationServiceException(false);
    bearer.setFailureHandler(failure);
    bearer.setSecurityContextRepository(new RequestAttributeSecurityContextRepository());

    return http.securityMatcher("/**")
        .csrf(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(AbstractHttpConfigurer::disable)
        .servletApi(AbstractHttpConfigurer::disable)
        .securityContext(
            c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
        .addFilterBefore(new RequestLimits(json), DisableEncodeUrlFilter.class)
        .addFilterBefore(bearer, BasicAuthenticationFilter.class)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(problems.unauthorized())
                    .accessDeniedHandler(problems.forbidden()))
        .authorizeHttpRequests(
            a ->
                a
                    // Error dispatches render the problem of a request already authorized.
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**")
                    .permitAll()
                    .requestMatchers(
                        HttpMethod.GET,
                        "/v3/api-docs",
                        "/v3/api-docs/**",
                        "/swagger-ui.html",
                        "/swagger-ui/**")
                    .permitAll()
                    .requestMatchers("/v1/runtime/**")
                    .hasRole("RUNTIME")
                    .requestMatchers(
                        HttpMethod.POST,
                        "/v1/storage/*/signed-urls",
                        "/v1/storage/*/objects/finalize")
                    .permitAll()
                    .requestMatchers("/v1/auth/*/**")
                    .permitAll()
                    .requestMatchers("/v1/**", "/actuator/**")
                    .hasRole("ADMIN")
                    .anyRequest()
                    .denyAll())
        .build();
  }
}
