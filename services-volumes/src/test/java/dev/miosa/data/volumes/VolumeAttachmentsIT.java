package dev.miosa.data.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;

/** Exclusive attachment against a real PostgreSQL with the api's migrations applied. */
class VolumeAttachmentsIT extends VolumeWorldTest {

  static VolumeAttachments attachments;

  @BeforeAll
  static void start() {
    attachments = world.volumes.attachments();
  }

  @Test
  void fiftyConcurrentAttachesFromTwoReplicasGiveOneWinnerAnd49ConflictsNamingIt()
      throws Exception {
    var service = newService();
    String volume = service.resource("production");
    List<VolumeAttachments> replicas = List.of(attachments, world.otherReplica().attachments());
    ExecutorService pool = Executors.newFixedThreadPool(50);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Object>> results = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String instance = "vm-" + i;
      VolumeAttachments replica = replicas.get(i % 2);
      Callable<Object> attempt =
          () -> {
            go.await();
            try {
              return replica.attach(volume, instance);
            } catch (MiosaException e) {
              return e;
            }
          };
      results.add(pool.submit(attempt));
    }
    go.countDown();
    List<Attachment> won = new ArrayList<>();
    List<MiosaException> refused = new ArrayList<>();
    for (var f : results) {
      Object r = f.get();
      if (r instanceof Attachment a) {
        won.add(a);
      } else {
        refused.add((MiosaException) r);
      }
    }
    pool.shutdown();

    assertThat(won).hasSize(1);
    Attachment winner = won.get(0);
    assertThat(winner.created()).isTrue();
    assertThat(winner.fencingToken()).isEqualTo(1);
    assertThat(refused).hasSize(49);
    assertThat(refused)
        .allSatisfy(
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_ATTACHED);
              assertThat(e.getMessage()).contains("instance " + winner.holder());
              assertThat(Holder.of(e)).extracting(Holder::id).containsExactly(winner.holder());
            });
    assertThat(attachments.current(volume)).map(Attachment::holder).contains(winner.holder());
  }

  @Test
  void attachAnswersTheMountSpec() {
    var service = newService();
    Attachment a = attachments.attach(service.resource("production"), "vm-1");
    assertThat(a.filesystem()).isEqualTo("ext4");
    assertThat(a.mountPath()).isEqualTo("/data-" + service.name());
    assertThat(a.imagePath()).isEqualTo(world.image(service.resource("production")).toString());
    assertThat(a.environment()).isEqualTo("production");
    assertThat(a.sizeGiB()).isEqualTo(1);
    assertThat(a.leaseExpiresAt()).isAfter(a.attachedAt());
  }

  @Test
  void theHolderRenewsItsLeaseAndDetaches() {
    var service = newService();
    Attachment first = attachments.attach(service.resource("production"), "vm-1");
    Attachment renewed = attachments.renew(service.id(), null, "vm-1", first.fencingToken());
    assertThat(renewed.fencingToken()).isEqualTo(first.fencingToken());
    assertThat(renewed.leaseExpiresAt()).isAfterOrEqualTo(first.leaseExpiresAt());

    // The holder attaching again (a retried request) keeps its attachment and token.
    Attachment again = attachments.attach(service.resource("production"), "vm-1");
    assertThat(again.created()).isFalse();
    assertThat(again.id()).isEqualTo(first.id());

    assertThat(attachments.detach(service.id(), null, "vm-1", first.fencingToken(), false))
        .isPresent();
    assertThat(attachments.current(service.resource("production"))).isEmpty();
    Attachment next = attachments.attach(service.resource("production"), "vm-2");
    assertThat(next.fencingToken()).isGreaterThan(first.fencingToken());
  }

  @Test
  void anExpiredLeaseIsTakenOverWithAGreaterTokenAndItsHolderCannotRenew() {
    var service = newService();
    String volume = service.resource("production");
    Attachment old = attachments.attach(volume, "vm-1");
    assertThatThrownBy(() -> attachments.attach(volume, "vm-2"))
        .isInstanceOfSatisfying(
            MiosaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_ATTACHED));

    world.expireLease(volume);
    Attachment taken = attachments.attach(volume, "vm-2");
    assertThat(taken.holder()).isEqualTo("vm-2");
    assertThat(taken.fencingToken()).isGreaterThan(old.fencingToken());

    MiosaException lost =
        catchThrowableOfType(
            MiosaException.class, () -> attachments.renew(service.id(), null, "vm-1", null));
    assertThat(lost.code()).isEqualTo(ErrorCode.LEASE_LOST);
    assertThat(lost.getMessage()).contains("vm-2");
  }

  @Test
  void anExpiredLeaseIsNotRenewedEvenWhenNoOneTookItOver() {
    var service = newService();
    attachments.attach(service.resource("staging"), "vm-1");
    world.expireLease(service.resource("staging"));
    MiosaException e =
        catchThrowableOfType(
            MiosaException.class, () -> attachments.renew(service.id(), null, "vm-1", null));
    assertThat(e.code()).isEqualTo(ErrorCode.LEASE_LOST);
    assertThat(e.getMessage()).contains("expired");
    // Attaching again works and fences the old attachment off.
    assertThat(attachments.attach(service.resource("staging"), "vm-1").fencingToken()).isEqualTo(2);
  }

  @Test
  void aForcedDetachBumpsTheTokenAndEndsTheHoldersLease() {
    var service = newService();
    String volume = service.resource("production");
    Attachment held = attachments.attach(volume, "vm-1");
    assertThat(attachments.detach(service.id(), null, "vm-1", null, true)).isPresent();

    assertThat(world.volumes.store().find(volume).orElseThrow().fencingToken())
        .isEqualTo(held.fencingToken() + 1);
    MiosaException e =
        catchThrowableOfType(
            MiosaException.class,
            () -> attachments.renew(service.id(), null, "vm-1", held.fencingToken()));
    assertThat(e.code()).isEqualTo(ErrorCode.LEASE_LOST);
    assertThat(attachments.attach(volume, "vm-2").fencingToken())
        .isEqualTo(held.fencingToken() + 2);
  }

  @Test
  void aLateDetachOfAnOlderAttachmentNeverEndsTheNewerOne() {
    var service = newService();
    String volume = service.resource("production");
    Attachment first = attachments.attach(volume, "vm-1");
    attachments.detach(service.id(), null, "vm-1", first.fencingToken(), false);
    Attachment second = attachments.attach(volume, "vm-1");

    // The first detach request, retried late, carries the old token.
    assertThat(attachments.detach(service.id(), null, "vm-1", first.fencingToken(), false))
        .isEmpty();
    assertThat(attachments.current(volume))
        .map(Attachment::fencingToken)
        .contains(second.fencingToken());

    // Another instance's late detach without a token ends nothing either.
    world.expireLease(volume);
    Attachment third = attachments.attach(volume, "vm-2");
    assertThat(attachments.detach(service.id(), null, "vm-1", null, false)).isEmpty();
    assertThat(attachments.current(volume)).map(Attachment::id).contains(third.id());
  }

  @Test
  void unknownAndMalformedInstanceIdsAreRefused() {
    var service = newService();
    attachments.attach(service.resource("production"), "vm-1");
    assertThat(
            catchThrowableOfType(
                    MiosaException.class,
                    () -> attachments.detach(service.id(), null, "vm-404", null, false))
                .code())
        .isEqualTo(ErrorCode.ATTACHMENT_NOT_FOUND);
    assertThat(
            catchThrowableOfType(
                    MiosaException.class,
                    () -> attachments.renew(service.id(), null, "vm-404", null))
                .code())
        .isEqualTo(ErrorCode.ATTACHMENT_NOT_FOUND);
    for (String bad : List.of("", " vm", "vm 1", "vm/1", "-vm", "x".repeat(129), "op:resize")) {
      assertThat(
              catchThrowableOfType(
                      MiosaException.class,
                      () -> attachments.attach(service.resource("staging"), bad))
                  .errors())
          .as(bad)
          .extracting(FieldError::field)
          .containsExactly("instanceId");
    }
    assertThat(
            catchThrowableOfType(
                    MiosaException.class,
                    () -> attachments.attach("res_doesnotexist00000000", "vm-1"))
                .code())
        .isEqualTo(ErrorCode.VOLUME_NOT_FOUND);
    assertThat(attachments.current(service.resource("staging"))).isEmpty();
  }

  @Test
  void anInstanceHoldingTwoEnvironmentsMustNameOne() {
    var service = newService();
    attachments.attach(service.resource("production"), "vm-1");
    attachments.attach(service.resource("staging"), "vm-1");
    assertThat(
            catchThrowableOfType(
                    MiosaException.class, () -> attachments.renew(service.id(), null, "vm-1", null))
                .errors()
                .get(0)
                .field())
        .isEqualTo("environment");
    assertThat(
            attachments
                .renew(service.id(), world.environments.get("staging"), "vm-1", null)
                .environment())
        .isEqualTo("staging");
  }

  @Test
  void deletionIsRefusedWhileAttachedUntilDetachedOrForced() {
    var service = newService();
    Attachment held = attachments.attach(service.resource("production"), "vm-1");
    MiosaException e =
        catchThrowableOfType(
            MiosaException.class, () -> attachments.guardDeletion(service.id(), null, false));
    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_ATTACHED);
    assertThat(e.getMessage()).contains("instance vm-1");
    assertThat(attachments.current(service.resource("production"))).isPresent();

    assertThat(attachments.guardDeletion(service.id(), null, true))
        .extracting(Holder::id)
        .containsExactly("vm-1");
    assertThat(attachments.current(service.resource("production"))).isEmpty();
    assertThat(
            world.volumes.store().find(service.resource("production")).orElseThrow().fencingToken())
        .isEqualTo(held.fencingToken() + 1);
    assertThat(attachments.guardDeletion(service.id(), null, false)).isEmpty();
  }

  @Test
  void attachingAVolumeMarkedForDeletionIsRefused() {
    var service = newService();
    world
        .replica
        .tx()
        .executeWithoutResult(
            s -> {
              attachments.guardDeletion(service.id(), null, false);
              world.resources.markAbsent(service.id(), null);
            });
    assertThat(
            catchThrowableOfType(
                    MiosaException.class,
                    () -> attachments.attach(service.resource("production"), "vm-1"))
                .code())
        .isEqualTo(ErrorCode.VOLUME_NOT_READY);
  }

  @Test
  void theDatabaseItselfRefusesASecondLiveAttachment() {
    var service = newService();
    attachments.attach(service.resource("production"), "vm-1");
    assertThatThrownBy(
            () ->
                world
                    .replica
                    .jdbc()
                    .sql(
                        "INSERT INTO volume_attachments (id, resource_id, holder_kind, holder, fencing_token, lease_expires_at)"
                            + " VALUES ('att_sneaky', :r, 'instance', 'vm-2', 99, now() + interval '1 hour')")
                    .param("r", service.resource("production"))
                    .update())
        .isInstanceOf(DuplicateKeyException.class);
  }
}
