package dev.miosa.data.storage;

import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.PostPolicy;
import io.minio.http.Method;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs object operations for a bucket with AWS Signature V4 query presigning
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html) and POST policies
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html), through the
 * MinIO SDK's signing-only client of {@link StorageClients#presigner()}.
 *
 * <p>Invariants: URLs are signed for the public endpoint and never touch the store (only a
 * content-addressed upload asks the internal endpoint whether its hash is stored, and the first
 * {@code POST} asked of a store probes it once); a {@code contentType} and a {@code contentLength}
 * are signed headers of a {@code PUT}, so the store answers 403 to any other value; a {@code POST}
 * policy always carries the exact key, the content type when given, and a {@code
 * content-length-range} ending at the cap; keys go to the SDK unencoded; a {@code POST} form is
 * signed only for a store that {@link FormUploadProbe enforces} its policy, since every bucket
 * shares the store's identity and a store that checks only the signature would let a form write
 * into any bucket.
 */
public final class ObjectSigner {

  private final Clock clock;
  private final ContentUploads content;
  private final FormUploadProbe probe;
  private final Map<StorageClients, Boolean> formUploads = new ConcurrentHashMap<>();

  /**
   * @param clock the clock expiry times are computed with
   * @param content the content-addressed store (for the "already stored" check)
   */
  public ObjectSigner(Clock clock, ContentUploads content) {
    this.clock = clock;
    this.content = content;
    this.probe = new FormUploadProbe(clock);
  }

  /**
   * Whether a store is offered form uploads: probed once per store by {@link FormUploadProbe} on
   * the first form asked of it, then remembered. A probe that cannot reach the store decides
   * nothing.
   *
   * @param clients the store's clients
   * @return whether the store enforces POST policies
   * @throws MiosaException {@code 503} when the store cannot be probed
   */
  public boolean formUploads(StorageClients clients) {
    Boolean known = formUploads.get(clients);
    if (known != null) {
      return known;
    }
    synchronized (clients) {
      known = formUploads.get(clients);
      if (known == null) {
        try {
          known = probe.probe(clients).enforced();
        } catch (IOException e) {
          throw ContentUploads.unavailable("be probed for form uploads", e);
        }
        formUploads.put(clients, known);
      }
      return known;
    }
  }

  /**
   * Signs one request.
   *
   * @param clients the store's clients
   * @param bucket the bucket
   * @param request the validated request
   * @param maxObjectBytes the cap on an upload's size
   * @return the signed URL, or "already stored" for a content-addressed upload whose hash exists
   * @throws MiosaException {@code 409 FORM_UPLOADS_UNSUPPORTED} for a {@code POST} on a store that
   *     does not enforce POST policies, {@code 503} when the store cannot be asked about a hash or
   *     probed
   */
  public SignOutcome sign(
      StorageClients clients, String bucket, SignRequest request, long maxObjectBytes) {
    if (request.method().equals("POST") && !formUploads(clients)) {
      throw new MiosaException(
          ErrorCode.FORM_UPLOADS_UNSUPPORTED,
          "this object store does not enforce the conditions of a form's POST policy (bucket,"
              + " expiry, size), so form uploads are not offered; sign a PUT with contentLength"
              + " instead");
    }
    String key = request.key();
    String uploadKey = null;
    if (request.contentSha256() != null) {
      Optional<Long> stored = content.storedSize(clients, bucket, request.contentSha256());
      if (stored.isPresent()) {
        return new SignOutcome.AlreadyStored(
            ObjectKeys.contentKey(request.contentSha256()), request.contentSha256(), stored.get());
      }
      key = ObjectKeys.contentKey(request.contentSha256());
      uploadKey = ObjectKeys.UPLOAD_PREFIX + request.contentSha256() + "/" + randomSuffix();
    }
    String target = uploadKey != null ? uploadKey : key;
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant expiresAt = now.plus(request.expiresIn());
    try {
      if (request.method().equals("POST")) {
        return postPolicy(
            clients, bucket, target, request, maxObjectBytes, expiresAt, key, uploadKey);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      if (request.contentType() != null) {
        headers.put("Content-Type", request.contentType());
      }
      if (request.contentLength() != null) {
        headers.put("Content-Length", Long.toString(request.contentLength()));
      }
      String url =
          clients
              .presigner()
              .getPresignedObjectUrl(
                  GetPresignedObjectUrlArgs.builder()
                      .method(Method.valueOf(request.method()))
                      .bucket(bucket)
                      .object(target)
                      .expiry((int) request.expiresIn().toSeconds())
                      .extraHeaders(headers)
                      .build());
      return new SignOutcome.Signed(
          request.method(), url, headers, Map.of(), expiresAt, key, uploadKey);
    } catch (MiosaException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("signing failed: " + e.getClass().getSimpleName(), e);
    }
  }

  private SignOutcome postPolicy(
      StorageClients clients,
      String bucket,
      String target,
      SignRequest request,
      long maxObjectBytes,
      Instant expiresAt,
      String key,
      String uploadKey)
      throws Exception {
    PostPolicy policy = new PostPolicy(bucket, expiresAt.atZone(ZoneOffset.UTC));
    policy.addEqualsCondition("key", target);
    if (request.contentType() != null) {
      policy.addEqualsCondition("Content-Type", request.contentType());
    }
    long upper = request.contentLength() != null ? request.contentLength() : maxObjectBytes;
    policy.addContentLengthRangeCondition(0L, upper);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("key", target);
    if (request.contentType() != null) {
      fields.put("Content-Type", request.contentType());
    }
    fields.putAll(clients.presigner().getPresignedPostFormData(policy));
    String url = clients.server().publicEndpoint() + "/" + bucket;
    return new SignOutcome.Signed("POST", url, Map.of(), fields, expiresAt, key, uploadKey);
  }

  /** 20 random characters of {@code [a-z0-9]} (about 103 bits). */
  private static String randomSuffix() {
    String id = Ids.newId("u");
    return id.substring(id.indexOf('_') + 1);
  }
}
