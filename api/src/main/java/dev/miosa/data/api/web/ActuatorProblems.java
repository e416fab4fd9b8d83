package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Actuator endpoints answer some errors with no body at all (an unknown health component is a bare
 * {@code 404}); under {@code /actuator/} such an answer gets the problem detail of its status, so
 * that every error of the service is {@code application/problem+json}. Only actuator paths are
 * buffered; the API's own handlers render problems themselves.
 */
@Configuration(proxyBeanMethods = false)
class ActuatorProblems {

  @Bean
  FilterRegistrationBean<OncePerRequestFilter> actuatorProblemFilter(JsonMapper json) {
    OncePerRequestFilter filter =
        new OncePerRequestFilter() {
          @Override
          protected boolean shouldNotFilter(HttpServletRequest request) {
            return !request.getRequestURI().startsWith("/actuator/");
          }

          @Override
          protected void doFilterInternal(
              HttpServletRequest request, HttpServletResponse response, FilterChain chain)
              throws ServletException, IOException {
            ContentCachingResponseWrapper wrapper = new ContentCachingResponseWrapper(response);
            chain.doFilter(request, wrapper);
            int status = wrapper.getStatus();
            if (status >= 400 && wrapper.getContentSize() == 0 && !response.isCommitted()) {
              ErrorCode code = ProblemHandler.codeForStatus(status);
              wrapper.setContentType("application/problem+json");
              wrapper
                  .getOutputStream()
                  .write(
                      json.writeValueAsBytes(
                          ProblemHandler.body(code, code.title(), List.<FieldError>of())));
            }
            wrapper.copyBodyToResponse();
          }
        };
    FilterRegistrationBean<OncePerRequestFilter> registration =
        new FilterRegistrationBean<>(filter);
    registration.addUrlPatterns("/actuator/*");
    return registration;
  }
}
