package dev.miosa.data.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One delivery attempt against a real local HTTP server, with the policy of production. */
class DeliveryAttemptTest {

  private final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());
  private final Secret secret = WebhookSignature.newSecret();

  private static WebhookProperties settings() {
    return new WebhookProperties(
        null,
        Duration.ofSeconds(5),
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        Duration.ofHours(24),
        Duration.ofMillis(200),
        8,
        2,
        Duration.ofDays(30));
  }

  private DeliveryWorker.Claimed claimed(String url) {
    return new DeliveryWorker.Claimed(
        "dlv_1",
        "evt_1",
        "whk_1",
        1,
        "{\"type\":\"operation.succeeded\",\"timestamp\":\"t\",\"data\":{}}",
        url,
        cipher.encrypt(secret, Webhooks.secretContext("whk_1")));
  }

  @Test
  void aTargetThatResolvesToARefusedAddressIsNeverConnectedTo() throws Exception {
    try (WebhookReceiver target = new WebhookReceiver(n -> 200);
        DeliveryWorker worker =
            new DeliveryWorker(
                null,
                cipher,
                new TargetPolicy(Set.of()),
                settings(),
                DeliveryWorker.Counters.NONE)) {
      for (String url :
          new String[] {
            target.url(),
            "http://localhost:" + target.port() + "/",
            "http://2130706433:" + target.port() + "/",
            "http://127.1:" + target.port() + "/",
            "http://[::ffff:127.0.0.1]:" + target.port() + "/"
          }) {
        DeliveryWorker.Outcome outcome = worker.attempt(claimed(url));
        assertThat(outcome.delivered()).as(url).isFalse();
        assertThat(outcome.error()).as(url).startsWith("refused: loopback address");
        assertThat(outcome.status()).as(url).isNull();
      }
      assertThat(target.received()).isEmpty();
    }
  }

  @Test
  void retriesWaitLongerEachTimeWithJitterAndHonourRetryAfter() {
    WebhookProperties s = settings(); // 200 ms doubling to 5 s
    assertThat(DeliveryFailures.delayAfter(s, 1, null, 0.5)).isEqualTo(Duration.ofMillis(200));
    assertThat(DeliveryFailures.delayAfter(s, 3, null, 0.5)).isEqualTo(Duration.ofMillis(800));
    assertThat(DeliveryFailures.delayAfter(s, 3, null, 0.0)).isEqualTo(Duration.ofMillis(640));
    assertThat(DeliveryFailures.delayAfter(s, 3, null, 0.999)).isLessThan(Duration.ofMillis(960));
    assertThat(DeliveryFailures.delayAfter(s, 30, null, 0.5)).isEqualTo(Duration.ofSeconds(5));
    Duration asked = DeliveryFailures.retryAfter("2");
    assertThat(DeliveryFailures.delayAfter(s, 1, asked, 0.5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(DeliveryFailures.delayAfter(s, 1, DeliveryFailures.retryAfter("3600"), 0.5))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(DeliveryFailures.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isNull();
    assertThat(DeliveryFailures.retryAfter("-1")).isNull();
  }

  @Test
  void redirectsAreNotFollowedAndCountAsFailures() throws Exception {
    try (WebhookReceiver target = new WebhookReceiver(n -> 307);
        DeliveryWorker worker =
            new DeliveryWorker(
                null,
                cipher,
                new TargetPolicy(EnumSet.of(TargetPolicy.Kind.LOOPBACK)),
                settings(),
                DeliveryWorker.Counters.NONE)) {
      DeliveryWorker.Outcome outcome = worker.attempt(claimed(target.url()));
      assertThat(outcome.delivered()).isFalse();
      assertThat(outcome.status()).isEqualTo(307);
      assertThat(outcome.error()).contains("redirects are not followed");
      assertThat(target.received()).hasSize(1); // /elsewhere was never asked for
      var r = target.received().get(0);
      assertThat(Signatures.verify(secret.reveal(), r.id(), r.timestamp(), r.body(), r.signature()))
          .isTrue();
    }
  }
}
