package dev.miosa.data.provisioner.operation;

import dev.miosa.data.process.Cancellation;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.WakeSignal;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Polls the {@link OperationStore}, runs claimed operations on a small pool and renews their leases
 * while they run. Several replicas may run a worker against the same store. Stopping the worker (or
 * the process dying) leaves running operations to lapse and be taken over.
 *
 * <p>An attempt that loses its lease is stopped: its {@link Cancellation} (bound to the running
 * thread) is cancelled, the thread interrupted and its external programs killed, and neither its
 * success nor its failure is recorded.
 *
 * <p>The poller does not wait out its interval when there is work: it is woken by an enqueue on its
 * own store (after commit), by {@code NOTIFY} from any replica when given a data source to {@code
 * LISTEN} on, and when one of its operations ends (the next one of that data service may now be
 * due). A wake-up that arrives while the poller is claiming is remembered, never lost. The poll
 * interval is only the fallback (retries whose backoff passed, leases that lapsed, missed
 * notifications).
 */
public final class OperationWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OperationWorker.class);

  private final OperationStore store;
  private final OperationExecutor executor;
  private final WorkerSettings settings;
  private final String owner = Ids.newId("wrk");
  private final ExecutorService pool;
  private final ScheduledExecutorService timer;
  private final Semaphore slots;
  private final WakeSignal wake = new WakeSignal();
  private final DataSource listenOn;
  private volatile OperationEvents events = OperationEvents.NONE;
  private final Runnable wakeUp = this::wakeUp;
  private volatile boolean running;
  private Thread poller;
  private QueueListener listener;

  /**
   * @param store the queue
   * @param executor what runs an operation
   * @param settings tuning
   */
  public OperationWorker(
      OperationStore store, OperationExecutor executor, WorkerSettings settings) {
    this(store, executor, settings, null);
  }

  /**
   * @param store the queue
   * @param executor what runs an operation
   * @param settings tuning
   * @param listenOn the control-plane database, to {@code LISTEN} for operations enqueued by other
   *     replicas (one connection is held), or null to rely on polling for those
   */
  public OperationWorker(
      OperationStore store,
      OperationExecutor executor,
      WorkerSettings settings,
      DataSource listenOn) {
    this.store = store;
    this.listenOn = listenOn;
    this.executor = executor;
    this.settings = settings;
    this.pool = Executors.newFixedThreadPool(settings.threads(), r -> daemon(r, "miosa-op"));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "miosa-op-lease"));
    this.slots = new Semaphore(settings.threads());
  }

  /**
   * Sets who is told of failed attempts and lost leases (default: nobody).
   *
   * @param events the receiver
   */
  public void setEvents(OperationEvents events) {
    this.events = events == null ? OperationEvents.NONE : events;
  }

  /** Starts polling. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    store.onEnqueued(wakeUp);
    if (listenOn != null) {
      listener = new QueueListener(listenOn, wakeUp, Duration.ofSeconds(10));
      listener.start();
    }
    poller = daemon(this::pollLoop, "miosa-op-poller");
    poller.start();
  }

  /** Asks the poller to look at the queue now; remembered if the poller is busy claiming. */
  public void wakeUp() {
    wake.signal();
  }

  private void pollLoop() {
    while (running) {
      try {
        slots.acquire();
        wake.clear(); // this claim sees everything committed before the wake-up
        var claimed = store.claim(owner, settings.lease());
        if (claimed.isEmpty()) {
          slots.release();
          wake.await(settings.pollInterval());
          continue;
        }
        Operation op = claimed.get();
        pool.execute(() -> runClaimed(op));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        slots.release();
        log.warn("operation poll failed: {}", e.toString());
        sleepQuietly(settings.pollInterval().toMillis() * 4);
      }
    }
  }

  private void runClaimed(Operation op) {
    Attempt attempt = new Attempt(op, Thread.currentThread());
    long period = Math.max(100, settings.lease().toMillis() / 3);
    ScheduledFuture<?> renewal =
        timer.scheduleAtFixedRate(attempt::renew, period, period, TimeUnit.MILLISECONDS);
    MDC.put("operation", op.id());
    try (Cancellation.Scope bound = Cancellation.bind(attempt.token)) {
      log.info("operation {} ({}) attempt {} started", op.id(), op.type(), op.attempts());
      executor.execute(op);
      renewal.cancel(false);
      if (attempt.token.isCancelled()) {
        log.warn("operation {} attempt {} ended after it was stopped", op.id(), op.attempts());
      } else {
        store.succeed(op.id(), owner);
        log.info("operation {} succeeded", op.id());
      }
    } catch (RuntimeException e) {
      renewal.cancel(false);
      if (attempt.token.isCancelled()) {
        // Another replica owns the operation now (or soon may): record nothing.
        log.warn(
            "operation {} attempt {} stopped: {}", op.id(), op.attempts(), attempt.token.reason());
        return;
      }
      String code = "PROVISIONING_FAILED";
      String message;
      boolean retryable = true;
      if (e instanceof ProvisioningException pe) {
        code = pe.code();
        message = pe.getMessage();
        retryable = pe.retryable();
        log.warn("operation {} attempt {} failed: {}", op.id(), op.attempts(), message, e);
      } else {
        message = "internal error (" + e.getClass().getSimpleName() + "); see the service log";
        log.error("operation {} attempt {} failed", op.id(), op.attempts(), e);
      }
      events.attemptFailed(op, code);
      try {
        store.fail(op.id(), owner, code, message, settings.backoffAfter(op.attempts()), retryable);
      } catch (RuntimeException recordError) {
        log.error("could not record the failure of {}; its lease will lapse", op.id(), recordError);
      }
    } finally {
      renewal.cancel(false);
      attempt.end();
      MDC.remove("operation");
      slots.release();
      wakeUp(); // the next operation of this data service may be due now
    }
  }

  /**
   * One attempt at an operation and its lease. The attempt is stopped (its {@link Cancellation}
   * cancelled, its thread interrupted, its external programs killed) when a renewal finds the lease
   * taken, or when no renewal succeeded for two thirds of the lease: then the lease may lapse
   * before the next renewal and another replica may claim the operation, so this one stops first.
   */
  private final class Attempt {
    final Operation op;
    final Cancellation token = new Cancellation();
    private final Thread thread;
    private boolean active = true; // guarded by this
    private long lastRenewed = System.nanoTime();

    Attempt(Operation op, Thread thread) {
      this.op = op;
      this.thread = thread;
      token.onCancel(this::interrupt);
    }

    void renew() {
      long started = System.nanoTime();
      try {
        if (store.renew(op.id(), owner, settings.lease())) {
          lastRenewed = started;
          return;
        }
        events.leaseLost(op);
        stop("lost the lease of operation " + op.id() + " to another worker");
      } catch (RuntimeException e) {
        long silent = System.nanoTime() - lastRenewed;
        log.warn("lease renewal of {} failed: {}", op.id(), e.toString());
        if (silent >= settings.lease().toNanos() * 2 / 3) {
          stop("could not renew the lease of operation " + op.id() + " in time");
        }
      }
    }

    private void stop(String why) {
      log.warn("{}: stopping this attempt", why);
      token.cancel(why);
    }

    private synchronized void interrupt() {
      if (active) {
        thread.interrupt();
      }
    }

    /** Called on the attempt's thread at its end: no interrupt may reach the next operation. */
    synchronized void end() {
      active = false;
      Thread.interrupted();
    }
  }

  /** Stops polling and waits up to 10 s for running operations to finish. */
  @Override
  public void close() {
    running = false;
    store.removeEnqueueListener(wakeUp);
    if (listener != null) {
      listener.close();
    }
    if (poller != null) {
      poller.interrupt();
    }
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
