package dev.miosa.data.api.web;

import jakarta.validation.Validator;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.ContentNegotiationConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API speaks JSON only.
 *
 * <ul>
 *   <li>Request bodies are read by {@link StrictJson} alone: an XML or form body of an endpoint
 *       that takes a JSON body is {@code 415} (XML converters arrive on the classpath with the
 *       embedded object store; without this an XML body could create a project).
 *   <li>The {@code Accept} header never selects another converter, so a browser's default {@code
 *       Accept} or {@code application/xml} still gets JSON. Endpoints that serve other formats (the
 *       runtime env's dotenv and shell) choose them explicitly.
 * </ul>
 *
 * The auth realm API reads its bodies itself (GoTrue's lenient rules) and is not affected.
 */
@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebMvcConfigurer {

  private final JsonMapper json;
  private final Validator validator;

  WebConfig(JsonMapper json, Validator validator) {
    this.json = json;
    this.validator = validator;
  }

  @Override
  public void configureContentNegotiation(ContentNegotiationConfigurer configurer) {
    configurer.ignoreAcceptHeader(true).defaultContentType(MediaType.APPLICATION_JSON);
  }

  @Override
  public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
    converters.removeIf(
        c ->
            c instanceof JacksonJsonHttpMessageConverter
                || c.getSupportedMediaTypes().stream()
                    .anyMatch(m -> m.getSubtype().contains("xml")));
    converters.add(new StrictJson(json, validator));
  }
}
