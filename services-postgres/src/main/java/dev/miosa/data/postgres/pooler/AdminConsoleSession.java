package dev.miosa.data.postgres.pooler;

import dev.miosa.data.postgres.PgTools;
import dev.miosa.data.process.ExternalProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One long-lived {@code psql} session on PgBouncer's admin console, fed commands on its standard
 * input: starting {@code psql} (a process, a login) for every {@code RELOAD} cost more than the
 * reload itself. After each command the session echoes a numbered marker, so the reply is read up
 * to it; a line {@code ERROR:}/{@code FATAL:}/{@code psql:} in the reply fails the command. A
 * session that ended (PgBouncer restarted, connection lost) is replaced once per command; a command
 * that takes longer than 60 s ends the session. Commands are run one at a time.
 */
final class AdminConsoleSession implements AutoCloseable {

  private final PgTools tools;
  private final PgTools.Target target;
  private ExternalProcess process;
  private BufferedReader out;
  private Writer in;
  private long seq;

  AdminConsoleSession(PgTools tools, PgTools.Target target) {
    this.tools = tools;
    this.target = target;
  }

  /**
   * Runs one admin console command.
   *
   * @param command e.g. {@code RELOAD} (no trailing semicolon)
   * @return the reply's rows, tab-separated, without headers
   * @throws IOException when the console cannot be reached or refuses the command (the message
   *     holds the console's text, never the password)
   */
  synchronized List<String> run(String command) throws IOException {
    boolean fresh = process == null;
    try {
      return exchange(command);
    } catch (IOException e) {
      end();
      if (fresh) {
        throw e;
      }
      return exchange(command); // the old session had ended: one more try on a new one
    }
  }

  private List<String> exchange(String command) throws IOException {
    if (process == null) {
      process =
          tools
              .command("psql", target, List.of("-X", "-q", "-A", "-t", "-F", "\t"))
              .timeout(null) // long-lived: each command arms its own deadline below
              .shared() // serves every operation: not killed with the one that started it
              .pipeStdin()
              .pipeStdout()
              .mergeStderr()
              .start();
      out = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8));
      in = new OutputStreamWriter(process.stdin(), StandardCharsets.UTF_8);
    }
    String marker = "__miosa_done_" + (++seq) + "__";
    try (var deadline = process.deadline(Duration.ofSeconds(60))) {
      in.write(command + ";\n\\echo " + marker + "\n");
      in.flush();
      List<String> lines = new ArrayList<>();
      String error = null;
      for (String line = out.readLine(); ; line = out.readLine()) {
        if (line == null) {
          throw failure("the admin console session ended", lines);
        }
        if (line.equals(marker)) {
          break;
        }
        if (line.startsWith("ERROR:") || line.startsWith("FATAL:") || line.startsWith("psql:")) {
          error = line;
        }
        lines.add(line);
      }
      if (error != null) {
        throw failure("the admin console refused " + command.split(" ", 2)[0], lines);
      }
      return lines;
    }
  }

  private IOException failure(String what, List<String> lines) {
    String text = String.join(" ", lines).strip().replace(target.password().reveal(), "***");
    return new IOException(what + ": " + (text.length() > 500 ? text.substring(0, 500) : text));
  }

  private void end() {
    if (process != null) {
      process.close();
      process = null;
      out = null;
      in = null;
    }
  }

  @Override
  public synchronized void close() {
    end();
  }
}
