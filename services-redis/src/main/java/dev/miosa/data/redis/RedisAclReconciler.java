package dev.miosa.data.redis;

import dev.miosa.data.provisioner.Periodic;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every ready tenant's ACL user present on its Redis server across server restarts.
 *
 * <p>Redis holds ACL users in memory: after a restart (without an ACL file) they are gone and every
 * tenant is locked out. This reconciler polls {@code INFO server} of each backend every {@code
 * interval} and compares its {@code run_id}, which Redis draws anew at each start. When it sees a
 * run id for the first time (at the control plane's own start, or after a restart of Redis) it
 * re-applies, from the control plane's records, the ACL user of every ready resource on that
 * backend. The run id is remembered only once every user was applied, so a pass cut short (Redis
 * gone again) is repeated on the next poll. Re-applying is {@code ACL SETUSER} with the full rule
 * set: idempotent, and harmless when another replica does the same.
 *
 * <p>A pass sends every user's {@code ACL SETUSER} in one pipeline (1,000 users in well under a
 * second, where one round trip each took several), then asks the records in one query which of them
 * are still wanted.
 *
 * <p>A resource being deleted while a pass runs could be re-created by it after its deletion; so
 * after applying the users the reconciler asks the records again and deletes the user of any
 * resource no longer wanted.
 */
public final class RedisAclReconciler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisAclReconciler.class);

  private final RedisProvider provider;
  private final Supplier<List<? extends ResourceContext>> readyResources;
  private final Function<Collection<String>, Set<String>> wantedOf;
  private final Map<String, String> appliedRunIds = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;

  /**
   * @param provider the Redis provider (its admin connections are used)
   * @param readyResources the ready Redis resources, read from the records at each pass (e.g.
   *     {@code ResourceStore.readyOfType("redis")} as contexts)
   * @param stillWanted whether a resource (by id) should still exist (desired {@code present}, not
   *     {@code deleting} or {@code deleted}), asked after applying its user
   */
  public RedisAclReconciler(
      RedisProvider provider,
      Supplier<List<? extends ResourceContext>> readyResources,
      Predicate<String> stillWanted) {
    this(
        provider,
        readyResources,
        ids -> ids.stream().filter(stillWanted).collect(Collectors.toSet()),
        true);
  }

  private RedisAclReconciler(
      RedisProvider provider,
      Supplier<List<? extends ResourceContext>> readyResources,
      Function<Collection<String>, Set<String>> wantedOf,
      boolean unused) {
    this.provider = provider;
    this.readyResources = readyResources;
    this.wantedOf = wantedOf;
  }

  /**
   * A reconciler that asks the records about all re-applied resources in one call.
   *
   * @param provider the Redis provider
   * @param readyResources the ready Redis resources, read at each pass
   * @param wantedOf of some resource ids, those that should still exist (one query for all)
   * @return the reconciler, not started
   */
  public static RedisAclReconciler batched(
      RedisProvider provider,
      Supplier<List<? extends ResourceContext>> readyResources,
      Function<Collection<String>, Set<String>> wantedOf) {
    return new RedisAclReconciler(provider, readyResources, wantedOf, true);
  }

  /**
   * Starts polling on a daemon thread; the first poll runs at once, so the users are applied at the
   * control plane's start.
   *
   * @param interval time between polls (1 second gives tenants their access back within about a
   *     second of Redis answering again)
   */
  public synchronized void start(Duration interval) {
    if (timer != null) {
      return;
    }
    timer = Periodic.start("redis-acl-reconciler", Duration.ZERO, interval, this::pollAll);
  }

  /** Polls every backend once; errors are logged, never thrown. */
  public void pollAll() {
    for (String backend : provider.backends()) {
      try {
        poll(backend);
      } catch (RuntimeException e) {
        log.debug("Redis server {} not reconciled this time: {}", backend, e.toString());
      }
    }
  }

  /**
   * Checks one backend's run id and re-applies its users when it is new.
   *
   * @param backend the backend id
   * @return how many users were applied (0 when the run id was already handled)
   */
  public int poll(String backend) {
    String runId = provider.admin(backend).serverInfo().get("run_id");
    if (runId == null || runId.equals(appliedRunIds.get(backend))) {
      return 0;
    }
    boolean restart = appliedRunIds.containsKey(backend);
    long start = System.nanoTime();
    provider.forgetServerFacts(backend);
    int applied = reapplyAll(backend);
    appliedRunIds.put(backend, runId);
    log.info(
        "Redis server {} {}: {} tenant user(s) applied in {} ms",
        backend,
        restart ? "restarted" : "seen at start",
        applied,
        (System.nanoTime() - start) / 1_000_000);
    return applied;
  }

  /**
   * Re-applies the user of every ready resource on a backend.
   *
   * @return how many were applied
   * @throws RuntimeException when the server fails mid-way (the pass is repeated later)
   */
  public int reapplyAll(String backend) {
    List<ResourceContext> mine = new ArrayList<>();
    for (ResourceContext resource : readyResources.get()) {
      if (backend.equals(resource.backend())) {
        mine.add(resource);
      }
    }
    // One pipeline of ACL SETUSER for all, then one question to the records for all.
    List<String> applied = provider.reapplyAll(backend, mine);
    Set<String> wanted = wantedOf.apply(applied);
    int count = applied.size();
    for (String id : applied) {
      if (!wanted.contains(id)) {
        provider.admin(backend).aclDelUser(TenantAcl.forResource(id).user());
        count--;
      }
    }
    return count;
  }

  /** Stops polling. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
