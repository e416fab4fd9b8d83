package dev.miosa.data.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretCipherTest {

  final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());

  @Test
  void roundTripsAndNeverRepeatsACiphertext() {
    Secret s = Secret.of("p@ss/w:rd%?# ünïcode");
    String a = cipher.encrypt(s, "res_1/password");
    String b = cipher.encrypt(s, "res_1/password");
    assertThat(a).isNotEqualTo(b).doesNotContain("p@ss");
    assertThat(cipher.decrypt(a, "res_1/password")).isEqualTo(s);
  }

  @Test
  void aCiphertextMovedToAnotherRowOrTamperedWithFails() {
    String stored = cipher.encrypt(Secret.of("hunter2"), "res_1/password");
    assertThatThrownBy(() -> cipher.decrypt(stored, "res_2/password"))
        .isInstanceOf(SecretCipher.SecretDecryptionException.class)
        .hasMessageNotContaining("hunter2");
    char[] chars = stored.toCharArray();
    chars[chars.length - 3] = chars[chars.length - 3] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> cipher.decrypt(new String(chars), "res_1/password"))
        .isInstanceOf(SecretCipher.SecretDecryptionException.class);
    SecretCipher other = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());
    assertThatThrownBy(() -> other.decrypt(stored, "res_1/password"))
        .isInstanceOf(SecretCipher.SecretDecryptionException.class);
  }

  @Test
  void masterKeyMustBe256Bits() {
    assertThatThrownBy(() -> SecretCipher.fromBase64("c2hvcnQ=")).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> SecretCipher.fromBase64("not base64 !!"))
        .hasMessageContaining("base64");
  }

  @Test
  void secretsDoNotPrintTheirValue() {
    assertThat(Secret.of("hunter2").toString()).doesNotContain("hunter2");
    assertThat(String.valueOf(Secret.of("hunter2"))).isEqualTo("Secret[****]");
  }

  @Test
  void tokensAreHashedAndGeneratedPasswordsAreLongAndRandom() {
    Secret t = TokenHashes.newRuntimeToken();
    assertThat(t.reveal()).startsWith("mrt_").hasSizeGreaterThan(40);
    assertThat(TokenHashes.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(Passwords.alphanumeric(40).reveal()).hasSize(40).matches("[A-Za-z0-9]+");
    assertThat(Passwords.alphanumeric(40)).isNotEqualTo(Passwords.alphanumeric(40));
    assertThatThrownBy(() -> Passwords.alphanumeric(31))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
