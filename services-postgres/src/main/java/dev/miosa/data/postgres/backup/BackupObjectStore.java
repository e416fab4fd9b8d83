package dev.miosa.data.postgres.backup;

import dev.miosa.data.credentials.Secret;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The platform bucket that holds backups, on an S3-compatible store spoken to through the MinIO
 * Java SDK (https://min.io/docs/minio/linux/developers/java/API.html).
 *
 * <p>Uploads of unknown length are sent as a multipart upload of {@link #PART_SIZE} parts: the SDK
 * holds one part in memory at a time, so an archive is never held whole in memory or on disk. The
 * SHA-256 and length are computed on the fly from the bytes sent.
 */
public final class BackupObjectStore {

  /** Multipart part size: the most of an archive held in memory at once (per running backup). */
  public static final long PART_SIZE = 16L * 1024 * 1024;

  private final MinioClient client;
  private final String bucket;
  private final String description;
  private volatile boolean bucketChecked;

  /**
   * @param endpoint the store as the control plane reaches it ({@code http://minio:9000})
   * @param region the region signatures name
   * @param accessKey an access key that may create the bucket and write, read and delete in it
   * @param secretKey its secret key
   * @param bucket the platform bucket's name (created when missing)
   */
  public BackupObjectStore(
      URI endpoint, String region, String accessKey, Secret secretKey, String bucket) {
    this.client =
        MinioClient.builder()
            .endpoint(endpoint.toString())
            .region(region)
            .credentials(accessKey, secretKey.reveal())
            .build();
    this.bucket = bucket;
    this.description = bucket + " on " + endpoint;
  }

  /** The bucket's name. */
  public String bucket() {
    return bucket;
  }

  /**
   * What an upload wrote.
   *
   * @param sizeBytes bytes stored
   * @param sha256 their SHA-256, lowercase hex
   */
  public record Stored(long sizeBytes, String sha256) {}

  /**
   * Streams {@code in} to {@code key} until its end.
   *
   * @param key the object key
   * @param in the bytes; read to its end, not closed
   * @return size and SHA-256 of what was stored
   * @throws IOException when the store refuses or cannot be reached
   */
  public Stored upload(String key, InputStream in) throws IOException {
    ensureBucket();
    MessageDigest sha = sha256();
    CountingInputStream counted = new CountingInputStream(new DigestInputStream(in, sha));
    try {
      client.putObject(
          PutObjectArgs.builder().bucket(bucket).object(key).stream(counted, -1, PART_SIZE)
              .contentType("application/octet-stream")
              .build());
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("upload to " + description + " failed: " + e.getMessage(), e);
    }
    return new Stored(counted.count, HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * Opens an object for streaming.
   *
   * @param key the object key
   * @return its bytes (the caller closes it)
   * @throws IOException when it is missing or the store cannot be reached
   */
  public InputStream download(String key) throws IOException {
    try {
      return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("download from " + description + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes an object; a missing one is not an error.
   *
   * @param key the object key
   * @throws IOException when the store cannot be reached
   */
  public void delete(String key) throws IOException {
    try {
      client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
    } catch (ErrorResponseException e) {
      if (!"NoSuchKey".equals(e.errorResponse().code())
          && !"NoSuchBucket".equals(e.errorResponse().code())) {
        throw new IOException("delete in " + description + " failed: " + e.getMessage(), e);
      }
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("delete in " + description + " failed: " + e.getMessage(), e);
    }
  }

  private void ensureBucket() throws IOException {
    if (bucketChecked) {
      return;
    }
    try {
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        try {
          client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        } catch (ErrorResponseException e) {
          String code = e.errorResponse().code();
          if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
            throw e;
          }
        }
      }
      bucketChecked = true;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("could not create bucket " + description + ": " + e.getMessage(), e);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Counts the bytes read through it. */
  static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }

  @Override
  public String toString() {
    return "BackupObjectStore[" + description + "]";
  }
}
