package dev.miosa.data.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.process.ExternalProcess.ProcessFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real programs ({@code sh}, {@code sleep}, {@code head}) that hang, flood and leak secrets. */
class ExternalProcessTest {

  static final String SECRET = "s3cr3t-Pa55word-xyz";

  @Test
  void theTimeoutFiresOnAHungProgramAndKillsItsChildrenToo() throws Exception {
    // The shell's child `sleep` inherits the pipes: killing only the shell would leave them open.
    ExternalProcess p =
        ExternalProcess.command("sh", "-c", "echo started; sleep 60; echo never")
            .timeout(Duration.ofMillis(500))
            .start();
    ProcessHandle shell = ProcessHandle.of(p.pid()).orElseThrow();
    List<ProcessHandle> children =
        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> shell.children().toList(), c -> !c.isEmpty());
    CompletableFuture<Throwable> outcome = awaitElsewhere(p);
    // Bounded wait: far longer than the timeout, far shorter than the sleep.
    Throwable t = outcome.get(30, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(ProcessFailedException.class);
    assertThat(((ProcessFailedException) t).timedOut()).isTrue();
    assertThat(t.getMessage()).contains("sh did not finish within PT0.5S").contains("started");
    assertThat(shell.isAlive()).isFalse();
    // SIGKILL is delivered asynchronously: wait (bounded) until the children are gone or zombies.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(children).noneMatch(ExternalProcessTest::running));
    assertThat(p.output()).doesNotContain("never");
  }

  @Test
  void runFailsWithTheTimeoutInsteadOfHanging() {
    assertThatThrownBy(
            () -> ExternalProcess.command("sleep", "60").timeout(Duration.ofMillis(300)).run())
        .isInstanceOf(ProcessFailedException.class)
        .hasMessageContaining("sleep did not finish");
  }

  @Test
  void outputLargerThanAPipeBufferNeitherDeadlocksNorGrowsWithoutBound() throws Exception {
    // 8 MiB on stdout and 8 MiB on stderr, far beyond a 64 KiB pipe, then a clean exit.
    ExternalProcess.Result r =
        ExternalProcess.command(
                "sh", "-c", "head -c 8388608 /dev/zero | tr '\\0' a; head -c 8388608 /dev/zero >&2")
            .timeout(Duration.ofSeconds(60))
            .captureLimit(64 * 1024)
            .run();
    assertThat(r.exitCode()).isZero();
    assertThat(r.output()).hasSize(64 * 1024).matches("a+");
    assertThat(r.tail()).hasSizeLessThanOrEqualTo(ExternalProcess.TAIL_CHARS + 3);
  }

  @Test
  void aFloodThenAHangIsStillKilledAtTheTimeout() {
    assertThatThrownBy(
            () ->
                ExternalProcess.command(
                        "sh", "-c", "head -c 4194304 /dev/zero | tr '\\0' b; echo; sleep 60")
                    .timeout(Duration.ofSeconds(2))
                    .mergeStderr()
                    .run())
        .isInstanceOf(ProcessFailedException.class)
        .satisfies(e -> assertThat(((ProcessFailedException) e).timedOut()).isTrue())
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(700));
  }

  @Test
  void secretsAreMaskedInErrors() {
    assertThatThrownBy(
            () ->
                ExternalProcess.command(
                        "sh",
                        "-c",
                        "echo \"FATAL: password $PGPASSWORD refused for $OTHER\" >&2; exit 3")
                    .env("PGPASSWORD", SECRET)
                    .env("OTHER", "hunter2")
                    .mask("hunter2")
                    .runChecked())
        .isInstanceOf(ProcessFailedException.class)
        .hasMessageContaining("sh exited 3")
        .hasMessageContaining("FATAL: password *** refused for ***")
        .satisfies(
            e -> assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("hunter2"));
  }

  @Test
  void aCancelledOperationKillsItsRunningProgram() throws Exception {
    Cancellation token = new Cancellation();
    ExternalProcess p;
    try (Cancellation.Scope bound = Cancellation.bind(token)) {
      p = ExternalProcess.command("sleep", "60").timeout(Duration.ofMinutes(5)).start();
    }
    CompletableFuture<Throwable> outcome = awaitElsewhere(p);
    token.cancel("lease lost");
    Throwable t = outcome.get(30, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(ProcessFailedException.class).hasMessageContaining("lease lost");
    assertThat(p.isAlive()).isFalse();
  }

  @Test
  void aSharedSessionOutlivesTheOperationThatStartedIt() throws Exception {
    Cancellation token = new Cancellation();
    try (Cancellation.Scope bound = Cancellation.bind(token);
        ExternalProcess session =
            ExternalProcess.command("sleep", "60").timeout(null).shared().start()) {
      token.cancel("lease lost");
      // A SIGKILL would have landed within 300 ms: the session stays alive throughout.
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(session.isAlive()).isTrue());
    }
  }

  @Test
  void aStreamingProgramIsKilledAtItsTimeoutSoItsReaderSeesTheEnd() throws Exception {
    // Like pg_dump feeding an upload: the reader blocks on stdout while the program hangs.
    try (ExternalProcess p =
        ExternalProcess.command("sh", "-c", "echo partial; sleep 60")
            .timeout(Duration.ofMillis(500))
            .pipeStdout()
            .start()) {
      byte[] read;
      try (InputStream in = p.stdout()) {
        read = in.readAllBytes();
      }
      assertThat(new String(read)).isEqualTo("partial\n");
      assertThatThrownBy(p::await)
          .isInstanceOf(ProcessFailedException.class)
          .hasMessageContaining("did not finish");
    }
  }

  /** Alive and not a zombie (a container's init may be slow to reap re-parented children). */
  static boolean running(ProcessHandle h) {
    try {
      String stat =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + h.pid() + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  /** Awaits the program on another thread; completes with what {@code await} threw, or null. */
  static CompletableFuture<Throwable> awaitElsewhere(ExternalProcess p) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            p.await();
            return null;
          } catch (IOException e) {
            return e;
          }
        });
  }
}
