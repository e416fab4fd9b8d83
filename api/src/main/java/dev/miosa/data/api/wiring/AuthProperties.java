package dev.miosa.data.api.wiring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of auth realms, bound from {@code miosa.auth.*} (environment: {@code MIOSA_AUTH_*}).
 * {@code AUTH_URL} is built from {@code MIOSA_PUBLIC_URL}.
 *
 * @param clockLeeway clock skew allowed on access token expiry ({@code MIOSA_AUTH_CLOCK_LEEWAY},
 *     default 10s, at most 5m)
 * @param maxFailedLogins failed logins per realm, email and client address before {@code 429}
 *     ({@code MIOSA_AUTH_MAX_FAILED_LOGINS}, default 5)
 * @param failedLoginWindow how long failed logins count ({@code MIOSA_AUTH_FAILED_LOGIN_WINDOW},
 *     default 5m)
 * @param argon2MemoryKib Argon2id memory per password hash in KiB ({@code
 *     MIOSA_AUTH_ARGON2_MEMORY_KIB}, default 19456 = OWASP's m=19 MiB)
 * @param argon2Iterations Argon2id passes ({@code MIOSA_AUTH_ARGON2_ITERATIONS}, default 2)
 * @param realmCacheTtl how long a replica keeps a realm's settings and key in memory ({@code
 *     MIOSA_AUTH_REALM_CACHE_TTL}, default 10s)
 */
@ConfigurationProperties("miosa.auth")
public record AuthProperties(
    @DefaultValue("10s") Duration clockLeeway,
    @DefaultValue("5") int maxFailedLogins,
    @DefaultValue("5m") Duration failedLoginWindow,
    @DefaultValue("19456") int argon2MemoryKib,
    @DefaultValue("2") int argon2Iterations,
    @DefaultValue("10s") Duration realmCacheTtl) {}
