package dev.miosa.data.provisioner.spi;

import java.util.Map;

/**
 * A {@link ServiceProvider} whose credentials can be rotated with an overlap window: a new
 * credential is made valid beside the current one, the control plane switches what it hands out,
 * and after the grace period the previous one is revoked and its sessions ended.
 *
 * <p><b>Generations of secrets and attributes.</b> A resource's current credential is under its
 * plain names ({@code password}, attribute {@code user}). During a rotation the new one is written
 * under {@link #NEXT} names ({@code next.password}, {@code next.user}) by {@link
 * #addNextCredentials}; the control plane then promotes, in one transaction, every {@code next.X}
 * to {@code X} and the value it replaces to {@code previous.X} (secrets are re-encrypted under
 * their new name). {@link #revokePreviousCredentials} acts on the {@code previous.X} values; the
 * control plane removes them once it returns. So a crash at any point leaves at least one valid
 * credential recorded, and every step may be run again.
 */
public interface CredentialRotation {

  /** The prefix of the secrets and attributes of the credential being introduced. */
  String NEXT = "next.";

  /** The prefix of the secrets and attributes of the credential being retired. */
  String PREVIOUS = "previous.";

  /**
   * Makes the next credential valid on the backend beside the current one, which keeps working.
   * Idempotent: its secrets come from {@code resource.secret(NEXT + name, generator)}, which stores
   * a generated value before returning it, so a repeated call makes the same credential.
   *
   * @param resource a ready resource
   * @return the attributes of the next credential, each named with the {@link #NEXT} prefix ({@code
   *     next.user}); may be empty
   * @throws ProvisioningException to fail this attempt (retried with backoff)
   */
  Map<String, String> addNextCredentials(ResourceContext resource);

  /**
   * Revokes the previous credential (the {@link #PREVIOUS} secrets and attributes of {@code
   * resource}) and ends the sessions that authenticated with it; the current credential keeps
   * working. Idempotent: a previous credential that is already gone, or absent, is a success.
   *
   * @param resource the resource, with its {@code previous.*} values still recorded
   * @throws ProvisioningException to fail this attempt (retried with backoff)
   */
  void revokePreviousCredentials(ResourceContext resource);
}
