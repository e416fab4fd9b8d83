package dev.miosa.data.api.service;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What soft delete of data services and of environments share: the state moves of their rows
 * ({@code active -> disabled -> active}) and the refusals a client sees. The rows' {@code state} is
 * {@code active | disabled | deleting | deleted}; see V80__soft_delete.sql.
 */
public final class SoftDeletion {

  /** The tables whose rows are soft-deleted. */
  public enum Table {
    /** Data services. */
    DATA_SERVICES("data_services", "data service"),
    /** Environments. */
    ENVIRONMENTS("environments", "environment");

    private final String table;
    private final String noun;

    Table(String table, String noun) {
      this.table = table;
      this.noun = noun;
    }
  }

  private SoftDeletion() {}

  /**
   * Soft-deletes an active row: {@code disabled}, {@code deleted_at = now()}, {@code purge_at =
   * now() + retention}.
   *
   * @return whether it was active
   */
  public static boolean markDisabled(JdbcClient jdbc, Table t, String id, Duration retention) {
    return jdbc.sql(
                "UPDATE "
                    + t.table
                    + " SET state = 'disabled', deleted_at = now(),"
                    + " purge_at = now() + make_interval(secs => :secs)"
                    + " WHERE id = :id AND state = 'active'")
            .param("id", id)
            .param("secs", (double) retention.toMillis() / 1000.0)
            .update()
        == 1;
  }

  /**
   * Brings a soft-deleted row back to {@code active}.
   *
   * @return whether it was disabled
   * @throws org.springframework.dao.DuplicateKeyException when an active one holds its name
   */
  public static boolean markActive(JdbcClient jdbc, Table t, String id) {
    return jdbc.sql(
                "UPDATE "
                    + t.table
                    + " SET state = 'active', deleted_at = NULL, purge_at = NULL"
                    + " WHERE id = :id AND state = 'disabled'")
            .param("id", id)
            .update()
        == 1;
  }

  /**
   * Passes a row that is soft-deleted and within its window.
   *
   * @param state the row's state
   * @param purgeAt its purge time, or null
   * @throws MiosaException 409 {@code NOT_DELETED} when active, {@code ALREADY_PURGED} when purged,
   *     being purged or past its window
   */
  static void requireRestorable(Table t, String id, String state, Instant purgeAt) {
    requireDeleted(t, id, state);
    if (purgeAt != null && !purgeAt.isAfter(Instant.now())) {
      throw purged(t, id, "its retention window closed at " + purgeAt + "; it is being purged");
    }
  }

  /**
   * Passes a row that is soft-deleted (and not purged).
   *
   * @throws MiosaException 409 {@code NOT_DELETED} when active, {@code ALREADY_PURGED} otherwise
   */
  static void requireDeleted(Table t, String id, String state) {
    switch (state) {
      case "disabled" -> {}
      case "active" ->
          throw new MiosaException(
              ErrorCode.NOT_DELETED,
              t.noun + " " + id + " is not deleted; delete it first (without purge)");
      default -> throw purged(t, id, "its data is gone");
    }
  }

  /** 409 {@code ALREADY_PURGED}. */
  static MiosaException purged(Table t, String id, String why) {
    return new MiosaException(ErrorCode.ALREADY_PURGED, t.noun + " " + id + " was purged: " + why);
  }

  /** 409 {@code NAME_TAKEN}: an active one holds the name the deleted one had. */
  static MiosaException nameTaken(Table t, String id, String name) {
    return new MiosaException(
        ErrorCode.NAME_TAKEN,
        "an active " + t.noun + " named '" + name + "' exists; delete it before undeleting " + id);
  }

  /**
   * Passes when {@code confirm} repeats the name.
   *
   * @throws MiosaException 400 {@code CONFIRMATION_REQUIRED} naming {@code confirm}
   */
  static void requireConfirmation(Table t, String name, String confirm) {
    if (!name.equals(confirm)) {
      throw new MiosaException(
          ErrorCode.CONFIRMATION_REQUIRED,
          "deleting a "
              + t.noun
              + " stops it and, after the retention window, purges its data; repeat its name in"
              + " ?confirm="
              + name,
          List.of(new FieldError("confirm", "must equal the " + t.noun + "'s name")));
    }
  }
}
