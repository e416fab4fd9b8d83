package dev.miosa.data.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The last bytes a stream carried, read on a daemon thread until the stream ends. */
final class OutputCapture {
  private final byte[] ring;
  private final Thread reader;
  private final ProcessSpec spec;
  private long total;

  private OutputCapture(InputStream in, int limit, ProcessSpec spec) {
    this.ring = new byte[Math.max(limit, ExternalProcess.TAIL_CHARS * 4)];
    this.spec = spec;
    this.reader =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  append(buf, n);
                }
              } catch (IOException ignored) {
                // the stream closed: the program ended or was killed
              }
            },
            "miosa-process-output-" + spec.name());
    reader.setDaemon(true);
    reader.start();
  }

  static OutputCapture drain(InputStream in, int limit, ProcessSpec spec) {
    return new OutputCapture(in, limit, spec);
  }

  private synchronized void append(byte[] buf, int n) {
    for (int i = 0; i < n; i++) {
      ring[(int) (total++ % ring.length)] = buf[i];
    }
  }

  /** Waits a little for the reader to see the end (the tree is dead, so the pipe closes). */
  void join() {
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized String text() {
    byte[] out;
    if (total <= ring.length) {
      out = java.util.Arrays.copyOf(ring, (int) total);
    } else {
      out = new byte[ring.length];
      int start = (int) (total % ring.length);
      System.arraycopy(ring, start, out, 0, ring.length - start);
      System.arraycopy(ring, 0, out, ring.length - start, start);
    }
    return spec.maskIn(new String(out, StandardCharsets.UTF_8));
  }
}
