package dev.miosa.data.api.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which request ids are kept and which trace ids are read. */
class RequestIdFilterTest {

  @Test
  void aShortSafeIdIsKeptAnythingElseIsReplaced() {
    assertThat(RequestIdFilter.requestId("abc-DEF_1.2:3")).isEqualTo("abc-DEF_1.2:3");
    assertThat(RequestIdFilter.requestId("a".repeat(64))).isEqualTo("a".repeat(64));
    for (String unsafe :
        new String[] {null, "", "a".repeat(65), "with space", "new\nline", "x\";drop", "é"}) {
      assertThat(RequestIdFilter.requestId(unsafe))
          .as(String.valueOf(unsafe))
          .matches("[0-9a-f]{32}");
    }
    assertThat(RequestIdFilter.requestId(null)).isNotEqualTo(RequestIdFilter.requestId(null));
  }

  @Test
  void theTraceIdOfAWellFormedTraceparentIsRead() {
    assertThat(RequestIdFilter.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(RequestIdFilter.traceId(null)).isNull();
    assertThat(RequestIdFilter.traceId("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"))
        .isNull();
    assertThat(RequestIdFilter.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
        .isNull();
    assertThat(RequestIdFilter.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-01")).isNull();
  }
}
