package dev.miosa.data.api.web;

import org.apache.catalina.Host;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Makes Tomcat answer its own early rejections with {@link ProblemErrorReportValve} (problem
 * details) instead of its HTML error page: the host's error report valve class is replaced, and any
 * other {@link ErrorReportValve} (Spring Boot adds one) is taken out of the host's pipeline before
 * the host starts.
 */
@Component
class TomcatProblemPages
    implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addContextCustomizers(
        context -> {
          Host host = (Host) context.getParent();
          if (host instanceof StandardHost standard) {
            // The host adds a valve of this class when it starts.
            standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
          }
          // Spring Boot's context customizer adds a plain ErrorReportValve, before or after this
          // one: take it out just before the host starts.
          host.addLifecycleListener(
              event -> {
                if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                  for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve
                        && !(valve instanceof ProblemErrorReportValve)) {
                      host.getPipeline().removeValve(valve);
                    }
                  }
                }
              });
        });
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
