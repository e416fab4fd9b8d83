package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Renders the servlet container's error dispatches ({@code /error}: a {@code sendError} from a
 * filter, an exception outside Spring MVC) as RFC 9457 problem details instead of Spring Boot's
 * default error body, so that every error answer is {@code application/problem+json}.
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping("/error")
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int code = status instanceof Integer i ? i : 500;
    ErrorCode errorCode = ProblemHandler.codeForStatus(code);
    ResponseEntity<ProblemDetail> res =
        ProblemHandler.problem(errorCode, errorCode.title(), List.of());
    // The request's own path, never the internal error path.
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    if (uri instanceof String path) {
      try {
        res.getBody().setInstance(java.net.URI.create(path));
      } catch (IllegalArgumentException e) {
        res.getBody().setInstance(java.net.URI.create("about:blank"));
      }
    }
    return res;
  }
}
