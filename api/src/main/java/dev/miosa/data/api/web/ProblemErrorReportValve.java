package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import java.io.IOException;
import java.util.List;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error report for errors the container answers itself, before any filter or servlet runs
 * (a bad {@code %} escape, an encoded slash, a header or URL too large, a malformed request line):
 * an RFC 9457 problem detail in {@code application/problem+json} instead of Tomcat's HTML page. It
 * replaces the host's {@link ErrorReportValve} (see {@link TomcatProblemPages}). Errors raised
 * inside the application are rendered by {@link ProblemHandler} and {@link ProblemErrorController};
 * this valve leaves a response that already has a body alone.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

  /** Creates the valve; Tomcat instantiates it by class name. */
  public ProblemErrorReportValve() {
    setShowReport(false);
    setShowServerInfo(false);
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    String detail;
    if (status == 501 || status == 505) {
      // Tomcat answers a transfer coding it does not know (RFC 9112 section 6.1) and an HTTP
      // major version it does not speak (RFC 9110 section 15.6.6) with these. Both are the
      // client's request, not a fault of the service: a 400 that says which.
      detail =
          status == 501
              ? "the request uses a transfer coding this service does not accept (only chunked)"
              : "the request uses an HTTP version this service does not speak (HTTP/1.1, h2)";
      response.setStatus(400);
      status = 400;
    } else if (status == 400) {
      detail =
          "the request is malformed (bad percent-encoding, an encoded '/', a malformed"
              + " request line or header)";
    } else {
      detail = null;
    }
    ErrorCode code = ProblemHandler.codeForStatus(status);
    if (detail == null) {
      detail = code.title();
    }
    byte[] bytes =
        JsonMapper.shared().writeValueAsBytes(ProblemHandler.body(code, detail, List.of()));
    try {
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
      response.finishResponse();
    } catch (IOException | IllegalStateException e) {
      // The client went away or the response cannot take a body: nothing more to send.
    }
  }
}
