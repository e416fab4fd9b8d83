package dev.miosa.data.api.events;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.webhook.DeliveryWorker;
import dev.miosa.data.api.webhook.OutboxPublisher;
import dev.miosa.data.api.webhook.TargetPolicy;
import dev.miosa.data.api.webhook.WebhookHousekeeping;
import dev.miosa.data.api.webhook.WebhookProperties;
import dev.miosa.data.api.webhook.Webhooks;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.ServicePhases;
import dev.miosa.data.provisioner.operation.OperationStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the {@link EventPublisher} that the control plane's changes report to: the webhook outbox,
 * its delivery worker, the endpoints, and the housekeeping (metrics, retention).
 */
@Configuration(proxyBeanMethods = false)
public class EventsConfig {

  private static final Logger log = LoggerFactory.getLogger(EventsConfig.class);

  @Bean
  TargetPolicy webhookTargetPolicy(WebhookProperties props, MiosaProperties miosa) {
    Set<TargetPolicy.Kind> allowed = props.allowedTargets();
    if (allowed == null) {
      allowed =
          miosa.embeddedStore()
              ? EnumSet.of(TargetPolicy.Kind.LOOPBACK)
              : EnumSet.noneOf(TargetPolicy.Kind.class);
    }
    log.info(
        "webhook targets: public addresses and {}", allowed.isEmpty() ? "nothing else" : allowed);
    return new TargetPolicy(allowed);
  }

  @Bean(destroyMethod = "close")
  WebhookHousekeeping webhookHousekeeping(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      WebhookProperties props,
      MeterRegistry registry) {
    return new WebhookHousekeeping(
        jdbc, new TransactionTemplate(transactions), props.retention(), registry);
  }

  @Bean(destroyMethod = "close")
  DeliveryWorker webhookDeliveryWorker(
      JdbcClient jdbc,
      SecretCipher cipher,
      TargetPolicy policy,
      WebhookProperties props,
      WebhookHousekeeping housekeeping) {
    return new DeliveryWorker(jdbc, cipher, policy, props, housekeeping);
  }

  /** The outbox: events are written in the caller's transaction and delivered after commit. */
  @Bean
  EventPublisher eventPublisher(JdbcClient jdbc, JsonMapper json, DeliveryWorker worker) {
    return new OutboxPublisher(jdbc, json, worker::wakeUp);
  }

  @Bean
  ServicePhases servicePhases(
      JdbcClient jdbc, PlatformTransactionManager transactions, EventPublisher events) {
    return new ServicePhases(jdbc, new TransactionTemplate(transactions), events);
  }

  /** backup.succeeded / backup.failed, from the outcome of postgres.backup operations. */
  @Bean
  BackupEvents backupEvents(OperationStore operations, JdbcClient jdbc, EventPublisher events) {
    BackupEvents backups = new BackupEvents(jdbc, events);
    operations.onFinished(backups);
    return backups;
  }

  @Bean
  Webhooks webhooks(
      JdbcClient jdbc, SecretCipher cipher, TargetPolicy policy, ProjectService projects) {
    return new Webhooks(jdbc, cipher, policy, projects);
  }

  @Bean
  Starter webhookStarter(DeliveryWorker worker, WebhookHousekeeping housekeeping) {
    return new Starter(worker, housekeeping);
  }

  /** Starts delivery and housekeeping once the application is ready (migrations applied). */
  record Starter(DeliveryWorker worker, WebhookHousekeeping housekeeping) {
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
      worker.start();
      housekeeping.start();
    }
  }
}
