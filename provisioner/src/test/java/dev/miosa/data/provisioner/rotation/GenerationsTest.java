package dev.miosa.data.provisioner.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationsTest {

  @Test
  void promotionMovesNextToCurrentAndCurrentToPrevious() {
    Map<String, String> promoted =
        Generations.promote(
            Map.of("user", "u1", "next.user", "u2", "host", "h", "next.extra", "x"),
            (from, to) -> v -> v + "@" + to);
    assertThat(promoted)
        .containsOnly(
            Map.entry("user", "u2@user"),
            Map.entry("previous.user", "u1@previous.user"),
            Map.entry("host", "h"),
            Map.entry("extra", "x@extra"));
  }

  @Test
  void promotionWithoutNextChangesNothing() {
    Map<String, String> values = Map.of("password", "p", "previous.password", "o");
    assertThat(Generations.promote(values, (from, to) -> v -> "changed")).isEqualTo(values);
  }

  @Test
  void revokeDropsOnlyPreviousValues() {
    assertThat(Generations.dropPrevious(Map.of("password", "p", "previous.password", "o")))
        .containsOnly(Map.entry("password", "p"));
  }
}
