package dev.miosa.data.redis;

import dev.miosa.data.credentials.TokenHashes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ACL user of one tenant namespace: its name, its key prefix and the rules of {@code ACL
 * SETUSER} that confine it (https://redis.io/docs/latest/commands/acl-setuser/, Redis 7.0+).
 *
 * <p>The rules start from nothing ({@code reset resetkeys resetchannels -@all}), so nothing a
 * previous rule set or the server's {@code acl-pubsub-default} granted survives, then grant back:
 *
 * <ul>
 *   <li>keys {@code ~<prefix>*} and channels {@code &<prefix>*} only;
 *   <li>the data-type categories ({@code @string @hash @list @set @sortedset @stream @bitmap
 *       @hyperloglog @geo}), whose commands all name their keys, so key patterns apply;
 *   <li>transactions ({@code MULTI EXEC DISCARD WATCH UNWATCH}), pub/sub except {@code PUBSUB}
 *       (which lists every tenant's channels), Lua scripts ({@code EVAL EVALSHA} and their
 *       {@code _RO} forms, {@code SCRIPT LOAD|EXISTS}; a script's calls are checked against the
 *       same rules, keys and commands alike);
 *   <li>the key-space commands that name their keys ({@code DEL UNLINK EXISTS TYPE TOUCH RENAME
 *       EXPIRE TTL PERSIST OBJECT ...});
 *   <li>what clients send on connect ({@code AUTH HELLO PING ECHO QUIT RESET CLIENT SETNAME},
 *       {@code CLIENT SETINFO} where the server has it, {@code COMMAND} metadata) and {@code ACL
 *       WHOAMI}, {@code TIME};
 * </ul>
 *
 * and end with {@code -@dangerous -@admin}, which takes away anything in those categories that a
 * category above brought in ({@code SORT}'s {@code BY/GET} patterns, {@code RESTORE}'s unchecked
 * payloads, {@code PFDEBUG}). Not granted, so denied: {@code KEYS SCAN RANDOMKEY DBSIZE FLUSHALL
 * FLUSHDB SWAPDB SELECT MOVE COPY MIGRATE RESTORE DUMP CONFIG INFO DEBUG MONITOR SHUTDOWN PUBSUB},
 * {@code ACL} except {@code WHOAMI}, {@code CLIENT} except {@code SETNAME/SETINFO}, {@code
 * FUNCTION}/{@code FCALL} (one library namespace for the whole server), {@code SCRIPT
 * FLUSH|KILL|DEBUG}.
 *
 * @param user the ACL user name, {@code t-} and the random part of the resource id
 * @param keyPrefix the key and channel prefix, the user name and {@code :}
 */
public record TenantAcl(String user, String keyPrefix) {

  /** The separator between the namespace and the tenant's own key names. */
  public static final char SEPARATOR = ':';

  /** Only these names are ever produced, so no glob character can widen a pattern. */
  private static final Pattern USER = Pattern.compile("t-[a-z0-9]{8,40}");

  /** Subcommands granted only where the server knows them (Redis 7.2 added CLIENT SETINFO). */
  public static final List<String> OPTIONAL_RULES = List.of("client|setinfo");

  private static final List<String> GRANTS =
      List.of(
          "+@string",
          "+@hash",
          "+@list",
          "+@set",
          "+@sortedset",
          "+@stream",
          "+@bitmap",
          "+@hyperloglog",
          "+@geo",
          "+@transaction",
          "+@pubsub",
          "-pubsub",
          "+eval",
          "+evalsha",
          "+eval_ro",
          "+evalsha_ro",
          "+script|load",
          "+script|exists",
          "+del",
          "+unlink",
          "+exists",
          "+type",
          "+touch",
          "+rename",
          "+renamenx",
          "+expire",
          "+pexpire",
          "+expireat",
          "+pexpireat",
          "+expiretime",
          "+pexpiretime",
          "+ttl",
          "+pttl",
          "+persist",
          "+object",
          "+auth",
          "+hello",
          "+ping",
          "+echo",
          "+quit",
          "+reset",
          "+client|setname",
          "+command",
          "+acl|whoami",
          "+time");

  /** Checks the shape of the names. */
  public TenantAcl {
    if (!USER.matcher(user).matches() || !keyPrefix.equals(user + SEPARATOR)) {
      throw new IllegalArgumentException("unexpected tenant user or prefix shape");
    }
  }

  /**
   * The namespace of a resource: user {@code t-<random>} and prefix {@code t-<random>:}, from the
   * random part of the resource id only (never from user input such as slugs or names).
   *
   * @param resourceId the resource id ({@code res_<20 chars of [a-z0-9]>})
   * @return the namespace
   * @throws IllegalArgumentException if the id has another shape
   */
  public static TenantAcl forResource(String resourceId) {
    String random = resourceId.substring(resourceId.indexOf('_') + 1);
    String user = "t-" + random;
    return new TenantAcl(user, user + SEPARATOR);
  }

  /** The {@code SCAN MATCH} pattern of every key in the namespace. */
  public String keyPattern() {
    return keyPrefix + "*";
  }

  /**
   * The arguments of {@code ACL SETUSER} after the user name.
   *
   * @param password the user's password; only its SHA-256 is sent ({@code #<hex>}), so the plain
   *     password never reaches the server, its logs or replicas
   * @param enabled {@code on} or {@code off}
   * @param optionalRules which of {@link #OPTIONAL_RULES} the server knows
   * @return the rules, in order
   */
  public List<String> rules(String password, boolean enabled, Set<String> optionalRules) {
    return rules(List.of(password), enabled, optionalRules);
  }

  /**
   * The arguments of {@code ACL SETUSER} after the user name, for a user with several valid
   * passwords (during a credential rotation's grace: the current one and the previous or next one).
   * {@code reset} drops every password the user had, so exactly these are valid afterwards.
   *
   * @param passwords the valid passwords, at least one; only their SHA-256 is sent
   * @param enabled {@code on} or {@code off}
   * @param optionalRules which of {@link #OPTIONAL_RULES} the server knows
   * @return the rules, in order
   */
  public List<String> rules(List<String> passwords, boolean enabled, Set<String> optionalRules) {
    if (passwords.isEmpty()) {
      throw new IllegalArgumentException("a tenant user needs a password");
    }
    List<String> out = new ArrayList<>();
    out.add("reset");
    out.add("resetkeys");
    out.add("resetchannels");
    out.add("-@all");
    out.add(enabled ? "on" : "off");
    // Redis' #<hash> rule takes the lowercase hex SHA-256 of the password.
    for (String password : passwords) {
      out.add("#" + TokenHashes.sha256Hex(password));
    }
    out.add("~" + keyPattern());
    out.add("&" + keyPattern());
    out.addAll(GRANTS);
    for (String optional : OPTIONAL_RULES) {
      if (optionalRules.contains(optional)) {
        out.add("+" + optional);
      }
    }
    out.add("-@dangerous");
    out.add("-@admin");
    return out;
  }

  @Override
  public String toString() {
    return "TenantAcl[" + user + "]";
  }
}
