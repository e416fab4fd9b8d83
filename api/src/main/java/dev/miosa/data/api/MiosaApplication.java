package dev.miosa.data.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The MIOSA Data Services control plane. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MiosaApplication {

  /**
   * Starts the control plane. With no {@code MIOSA_*} settings it runs the embedded default: a
   * local PostgreSQL for its own store and for tenants under {@code ./.miosa}, port 8080.
   *
   * @param args Spring Boot arguments
   */
  public static void main(String[] args) {
    SpringApplication.run(MiosaApplication.class, args);
  }
}
