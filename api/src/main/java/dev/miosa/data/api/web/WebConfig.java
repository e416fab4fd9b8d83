package dev.miosa.data.api.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.config.annotation.ContentNegotiationConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The API speaks JSON only: the {@code Accept} header never selects another converter (XML
 * converters arrive on the classpath with the embedded object store), so a browser's default {@code
 * Accept} or {@code application/xml} still gets JSON. Endpoints that serve other formats (the
 * runtime env's dotenv and shell) choose them explicitly.
 */
@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebMvcConfigurer {

  @Override
  public void configureContentNegotiation(ContentNegotiationConfigurer configurer) {
    configurer.ignoreAcceptHeader(true).defaultContentType(MediaType.APPLICATION_JSON);
  }
}
