package dev.miosa.data.provisioner.operation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventTypes;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The durable queue against a real PostgreSQL: exclusivity, retries, takeover, ordering. */
class OperationQueueIT {

  DataSource db;
  OperationStore store;
  final List<OperationWorker> workers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    db = TestServers.controlPlaneDatabase("queue");
    store = new OperationStore(JdbcClient.create(db), JsonMapper.builder().build());
  }

  @AfterEach
  void tearDown() {
    workers.forEach(OperationWorker::close);
  }

  static WorkerSettings settings(int maxAttempts) {
    return new WorkerSettings(
        3,
        Duration.ofMillis(20),
        Duration.ofMillis(900),
        Duration.ofMillis(30),
        Duration.ofMillis(200),
        maxAttempts);
  }

  void startWorker(OperationExecutor executor, WorkerSettings settings) {
    OperationWorker w = new OperationWorker(store, executor, settings);
    workers.add(w);
    w.start();
  }

  Operation await(String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Operation op = store.find(id).orElseThrow();
    while (!op.finished() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      op = store.find(id).orElseThrow();
    }
    return op;
  }

  @Test
  void anOutcomeIsToldOnceWhenFinalAndNeverForARetriedAttempt() throws Exception {
    List<Event> told = new CopyOnWriteArrayList<>();
    List<String> finished = new CopyOnWriteArrayList<>();
    store =
        new OperationStore(
            JdbcClient.create(db),
            JsonMapper.builder().build(),
            new TransactionTemplate(new DataSourceTransactionManager(db)),
            told::add);
    store.onFinished(op -> finished.add(op.id() + " " + op.state()));
    String ok = store.enqueue(Operation.PROVISION, "prj_ev", "svc_ok", null, Map.of(), 3);
    String bad = store.enqueue(Operation.PROVISION, "prj_ev", "svc_bad", null, Map.of(), 2);
    startWorker(
        op -> {
          if (op.id().equals(bad)) {
            throw new ProvisioningException("BOOM", "it broke", true, null);
          }
        },
        settings(2));
    assertThat(await(ok).state()).isEqualTo("succeeded");
    Operation failed = await(bad);
    assertThat(failed.state()).isEqualTo("failed");
    assertThat(failed.attempts()).isEqualTo(2);
    assertThat(told)
        .extracting(Event::type, e -> e.data().get("operationId"), e -> e.data().get("errorCode"))
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(EventTypes.OPERATION_SUCCEEDED, ok, null),
            org.assertj.core.groups.Tuple.tuple(EventTypes.OPERATION_FAILED, bad, "BOOM"));
    assertThat(told).allSatisfy(e -> assertThat(e.projectId()).isEqualTo("prj_ev"));
    assertThat(finished).containsExactlyInAnyOrder(ok + " succeeded", bad + " failed");
  }

  @Test
  void fourReplicasRunEveryOperationExactlyOnce() throws Exception {
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    OperationExecutor counting =
        op -> runs.computeIfAbsent(op.id(), k -> new AtomicInteger()).incrementAndGet();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(store.enqueue(Operation.PROVISION, "prj_1", "svc_" + i, null, Map.of(), 3));
    }
    for (int i = 0; i < 4; i++) {
      startWorker(counting, settings(3));
    }
    for (String id : ids) {
      assertThat(await(id).state()).isEqualTo("succeeded");
    }
    assertThat(runs).hasSize(40);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void aFailingStepIsRetriedWithBackoffAndEndsFailedWithItsError() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    startWorker(
        op -> {
          calls.incrementAndGet();
          throw new ProvisioningException(
              "BACKEND_UNAVAILABLE", "tenant server refused the connection", true, null);
        },
        settings(3));
    Operation op =
        await(store.enqueue(Operation.PROVISION, "prj_1", "svc_fail", null, Map.of(), 3));
    assertThat(op.state()).isEqualTo("failed");
    assertThat(op.attempts()).isEqualTo(3);
    assertThat(calls.get()).isEqualTo(3);
    assertThat(op.errorCode()).isEqualTo("BACKEND_UNAVAILABLE");
    assertThat(op.error()).isEqualTo("tenant server refused the connection");
    assertThat(op.finishedAt()).isNotNull();
  }

  @Test
  void aTransientFailureRecoversOnRetry() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    startWorker(
        op -> {
          if (calls.incrementAndGet() < 3) {
            throw new IllegalStateException("flaky");
          }
        },
        settings(5));
    Operation op =
        await(store.enqueue(Operation.PROVISION, "prj_1", "svc_flaky", null, Map.of(), 5));
    assertThat(op.state()).isEqualTo("succeeded");
    assertThat(op.attempts()).isEqualTo(3);
    assertThat(op.error()).isNull();
  }

  @Test
  void anOperationWhoseWorkerDiedIsTakenOverWhenItsLeaseLapses() throws Exception {
    String id = store.enqueue(Operation.PROVISION, "prj_1", "svc_orphan", null, Map.of(), 5);
    // A worker claims it and dies: it never renews nor finishes.
    assertThat(store.claim("wrk_dead", Duration.ofMillis(500))).isPresent();
    CopyOnWriteArrayList<String> ran = new CopyOnWriteArrayList<>();
    startWorker(op -> ran.add(op.id()), settings(5));
    Operation op = await(id);
    assertThat(op.state()).isEqualTo("succeeded");
    assertThat(op.attempts()).isEqualTo(2);
    assertThat(ran).containsExactly(id);
    // The dead worker's late completion changes nothing.
    store.fail(id, "wrk_dead", "X", "late", Duration.ZERO, true);
    assertThat(store.find(id).orElseThrow().state()).isEqualTo("succeeded");
  }

  @Test
  void operationsOfOneDataServiceRunOneAtATimeInOrder() throws Exception {
    CopyOnWriteArrayList<String> events = new CopyOnWriteArrayList<>();
    startWorker(
        op -> {
          events.add("start " + op.type());
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          events.add("end " + op.type());
        },
        settings(3));
    String first = store.enqueue(Operation.PROVISION, "prj_1", "svc_same", null, Map.of(), 3);
    String second = store.enqueue(Operation.DEPROVISION, "prj_1", "svc_same", null, Map.of(), 3);
    await(first);
    await(second);
    assertThat(events)
        .containsExactly(
            "start provision", "end provision", "start deprovision", "end deprovision");
  }

  /** Polling only every minute: anything that runs sooner was woken. */
  static WorkerSettings slowPoll() {
    return new WorkerSettings(
        2,
        Duration.ofMinutes(1),
        Duration.ofSeconds(15),
        Duration.ofMillis(30),
        Duration.ofMillis(200),
        3);
  }

  /** Lets the poller claim nothing and start its minute-long wait. */
  static void letThePollerFallAsleep() throws InterruptedException {
    Thread.sleep(300);
  }

  @Test
  void anOperationEnqueuedInATransactionIsPickedUpAtCommitNotAtTheNextPoll() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    startWorker(op -> ran.countDown(), slowPoll());
    letThePollerFallAsleep();
    var tx = new TransactionTemplate(new DataSourceTransactionManager(db));
    tx.executeWithoutResult(
        status -> store.enqueue(Operation.PROVISION, "prj_1", "svc_tx", null, Map.of(), 3));
    assertThat(ran.await(10, TimeUnit.SECONDS)).as("ran long before the 1 minute poll").isTrue();
  }

  @Test
  void theNextOperationOfADataServiceStartsWhenThePreviousEnds() throws Exception {
    CountDownLatch ran = new CountDownLatch(3);
    startWorker(op -> ran.countDown(), slowPoll());
    letThePollerFallAsleep();
    for (int i = 0; i < 3; i++) {
      store.enqueue(Operation.PROVISION, "prj_1", "svc_seq", null, Map.of(), 3);
    }
    assertThat(ran.await(10, TimeUnit.SECONDS)).as("all three before the next poll").isTrue();
  }

  @Test
  void aNotifyFromAnotherReplicasEnqueueWakesThisWorker() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    OperationWorker w = new OperationWorker(store, op -> ran.countDown(), slowPoll(), db);
    workers.add(w);
    w.start();
    letThePollerFallAsleep();
    // Another replica: its own store on the same database; this worker hears only its NOTIFY.
    OperationStore otherReplica =
        new OperationStore(JdbcClient.create(db), JsonMapper.builder().build());
    otherReplica.enqueue(Operation.PROVISION, "prj_1", "svc_remote", null, Map.of(), 3);
    assertThat(ran.await(10, TimeUnit.SECONDS)).as("woken by NOTIFY, not the poll").isTrue();
  }

  @Test
  void withoutListeningAnotherReplicasEnqueueWaitsForThePoll() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    startWorker(op -> ran.countDown(), slowPoll());
    letThePollerFallAsleep();
    new OperationStore(JdbcClient.create(db), JsonMapper.builder().build())
        .enqueue(Operation.PROVISION, "prj_1", "svc_remote", null, Map.of(), 3);
    assertThat(ran.await(1, TimeUnit.SECONDS)).as("nothing else wakes it").isFalse();
  }

  @Test
  void aRolledBackEnqueueWakesNobodyAndLeavesNoOperation() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    OperationWorker w = new OperationWorker(store, op -> ran.countDown(), slowPoll(), db);
    workers.add(w);
    w.start();
    letThePollerFallAsleep();
    var tx = new TransactionTemplate(new DataSourceTransactionManager(db));
    String[] id = new String[1];
    tx.executeWithoutResult(
        status -> {
          id[0] = store.enqueue(Operation.PROVISION, "prj_1", "svc_rb", null, Map.of(), 3);
          status.setRollbackOnly();
        });
    assertThat(ran.await(1, TimeUnit.SECONDS)).isFalse();
    assertThat(store.find(id[0])).isEmpty();
  }
}
