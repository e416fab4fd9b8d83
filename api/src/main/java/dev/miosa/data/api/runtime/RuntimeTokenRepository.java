package dev.miosa.data.api.runtime;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.query.Param;

/** Spring Data JDBC repository of runtime tokens. */
public interface RuntimeTokenRepository extends ListCrudRepository<RuntimeToken, String> {

  /** Revokes a token; returns 1 if it existed and was not revoked. */
  @Modifying
  @Query("UPDATE runtime_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
  int revoke(@Param("id") String id);
}
