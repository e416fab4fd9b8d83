package dev.miosa.data.api.rotation;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Credential rotation ({@code MIOSA_ROTATION_*}).
 *
 * @param sweepInterval how often each replica looks for rotations whose grace is over and enqueues
 *     their revoke ({@code MIOSA_ROTATION_SWEEP_INTERVAL}, default 1 s; an indexed query)
 */
@ConfigurationProperties("miosa.rotation")
public record RotationProperties(@DefaultValue("1s") Duration sweepInterval) {}
