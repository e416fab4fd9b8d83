package dev.miosa.data.provisioner.operation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** The durable queue against a real PostgreSQL: exclusivity, retries, takeover, ordering. */
class OperationQueueTest {

  OperationStore store;
  final List<OperationWorker> workers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    store =
        new OperationStore(
            JdbcClient.create(TestServers.controlPlaneDatabase("queue")),
            JsonMapper.builder().build());
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
}
