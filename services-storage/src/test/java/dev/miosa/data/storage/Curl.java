package dev.miosa.data.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs curl as a browser stand-in: no SDK, only the URL, headers and body a page would send. */
final class Curl {

  /** A response: status and body. */
  record Reply(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private Curl() {}

  /**
   * Runs {@code curl -sS -g -o <file> -w %{http_code} <args>}.
   *
   * @param args method, headers, body options and the URL
   * @return the reply
   */
  static Reply run(String... args) {
    try {
      Path out = Files.createTempFile("curl", ".out");
      try {
        List<String> cmd =
            new ArrayList<>(
                List.of("curl", "-sS", "-g", "-o", out.toString(), "-w", "%{http_code}"));
        cmd.addAll(List.of(args));
        Process p;
        try {
          p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
          throw new IllegalStateException("curl is needed by these tests: apt-get install curl", e);
        }
        String status =
            new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("curl did not finish");
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException("curl failed (" + p.exitValue() + "): " + status);
        }
        return new Reply(Integer.parseInt(status), Files.readAllBytes(out));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code PUT} of a file with the given headers ({@code Name: value}). */
  static Reply put(String url, Path file, String... headers) {
    List<String> args = new ArrayList<>(List.of("-X", "PUT", "-T", file.toString()));
    for (String h : headers) {
      args.add("-H");
      args.add(h);
    }
    args.add(url);
    return run(args.toArray(String[]::new));
  }

  /** {@code GET}. */
  static Reply get(String url) {
    return run(url);
  }
}
