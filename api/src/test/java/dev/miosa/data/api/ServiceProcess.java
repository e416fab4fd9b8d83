package dev.miosa.data.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as a real process of its own, started from the test classpath with the given
 * environment, its output appended to a log file: for tests that kill it, restart it or run
 * several.
 *
 * @param process the running JVM
 * @param port its HTTP port on 127.0.0.1
 * @param log where its output goes
 */
record ServiceProcess(Process process, int port, Path log) {

  /**
   * Starts the service.
   *
   * @param env environment variables on top of this JVM's ({@code PORT} is set from {@code port})
   * @param port the HTTP port
   * @param log the log file (appended to)
   * @return the started process, not yet ready (see {@link #awaitHealthy})
   */
  static ServiceProcess start(Map<String, String> env, int port, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                MiosaApplication.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("PORT", Integer.toString(port));
    return new ServiceProcess(pb.start(), port, log);
  }

  /** Waits until {@code /actuator/health} answers 200; fails with the log's tail otherwise. */
  void awaitHealthy(Duration timeout) throws Exception {
    Http anon = http(null);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        if (anon.get("/actuator/health").status() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the service did not start: " + tail(log));
  }

  /** A client of the process with a bearer token (or none). */
  Http http(String token) {
    return new Http("http://127.0.0.1:" + port, token);
  }

  /** SIGTERM (a clean shutdown), then SIGKILL when it has not ended within 60 s. */
  void stop() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** SIGKILL, as a crash, and waits for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The last 4,000 characters of a log file. */
  static String tail(Path file) {
    try {
      String s = Files.readString(file);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (Exception e) {
      return "(no log)";
    }
  }
}
