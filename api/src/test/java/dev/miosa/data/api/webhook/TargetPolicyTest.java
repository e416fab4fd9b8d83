package dev.miosa.data.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.provisioner.spi.MiosaException;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TargetPolicyTest {

  private final TargetPolicy production = new TargetPolicy(Set.of());

  @Test
  void everySpellingOfANonPublicAddressIsRefusedNamingUrl() {
    List<String> refused =
        List.of(
            "http://127.0.0.1/",
            "http://localhost:8080/hook",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://127.0.0.1./",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://10.0.0.1/",
            "http://167772161/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://[fd00::1]/",
            "http://[fc00::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://0xa9.0xfe.0xa9.0xfe/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://0/",
            "http://[::]/",
            "http://224.0.0.1/",
            "http://[ff02::1]/",
            "http://255.255.255.255/",
            "http://192.0.2.1/",
            "http://[2001:db8::1]/");
    for (String url : refused) {
      assertThatThrownBy(() -> production.checkUrl(url))
          .as(url)
          .isInstanceOfSatisfying(
              MiosaException.class,
              e -> assertThat(e.errors()).extracting(f -> f.field()).containsExactly("url"));
    }
  }

  @Test
  void malformedUrlsAndOtherSchemesAreRefusedNamingUrl() {
    for (String url :
        List.of(
            "ftp://example.com/",
            "file:///etc/passwd",
            "example.com/hook",
            "http://user:pw@example.com/",
            "http://example.com/#frag",
            "http://1.2.3.4.5/",
            "http://example.0x1/",
            "http:///nohost",
            "http://" + "a".repeat(2000) + ".com/")) {
      assertThatThrownBy(() -> production.checkUrl(url))
          .as(url)
          .isInstanceOfSatisfying(
              MiosaException.class,
              e -> assertThat(e.errors()).extracting(f -> f.field()).containsExactly("url"));
    }
  }

  @Test
  void publicAddressesAndAllowedKindsPass() throws Exception {
    assertThat(production.checkUrl("https://93.184.216.34/hooks").getHost())
        .isEqualTo("93.184.216.34");
    assertThat(production.checkUrl("http://[2606:4700::1111]/")).isNotNull();
    TargetPolicy embedded = new TargetPolicy(EnumSet.of(TargetPolicy.Kind.LOOPBACK));
    assertThat(embedded.checkUrl("http://127.0.0.1:9/")).isNotNull();
    assertThat(embedded.checkUrl("http://[::1]:9/")).isNotNull();
    assertThatThrownBy(() -> embedded.checkUrl("http://10.1.2.3/"))
        .isInstanceOf(MiosaException.class);
    assertThat(embedded.refusal(InetAddress.getByName("169.254.1.1")))
        .hasValueSatisfying(r -> assertThat(r).contains("link-local"));
  }

  @Test
  void allowedAddressesInSpellingsJavaReadsOtherwiseOrUnusablePortsAndZonesAreRefused() {
    TargetPolicy embedded = new TargetPolicy(EnumSet.of(TargetPolicy.Kind.LOOPBACK));
    for (String url :
        List.of(
            "http://0177.0.0.1:9/",
            "http://2130706433/",
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://127.0.0.1./",
            "http://010.0.0.1/",
            "http://[fe80::1%25eth0]/",
            "http://[::1%25lo]/",
            "http://127.0.0.1:99999/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:/",
            "http://example.com:65536/",
            "http://example.com:8080:9/")) {
      assertThatThrownBy(() -> embedded.checkUrl(url))
          .as(url)
          .isInstanceOfSatisfying(
              MiosaException.class,
              e -> assertThat(e.errors()).extracting(f -> f.field()).containsExactly("url"));
    }
    assertThat(embedded.checkUrl("http://127.0.0.1:65535/")).isNotNull();
  }

  @Test
  void numericHostsAreReadLikeBrowsersReadThem() {
    assertThat(TargetPolicy.parseIpv4("2130706433")).containsExactly(127, 0, 0, 1);
    assertThat(TargetPolicy.parseIpv4("0x7f.1")).containsExactly(127, 0, 0, 1);
    assertThat(TargetPolicy.parseIpv4("127.1")).containsExactly(127, 0, 0, 1);
    assertThat(TargetPolicy.parseIpv4("0300.0250.1")).containsExactly(192, 168, 0, 1);
    assertThat(TargetPolicy.parseIpv4("256.1.1.1")).isNull();
    assertThat(TargetPolicy.parseIpv4("1.2.3.4.5")).isNull();
  }
}
