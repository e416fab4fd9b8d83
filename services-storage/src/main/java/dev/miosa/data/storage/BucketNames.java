package dev.miosa.data.storage;

import java.util.regex.Pattern;

/**
 * Bucket names: DNS-safe, 3 to 63 characters of lowercase letters, digits and {@code -}, starting
 * and ending with a letter or digit, never shaped like an IP address, never {@code xn--...} or
 * {@code ...-s3alias} (the rules of
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, which MinIO applies
 * too). A resource's bucket is a prefix and the random part of the resource id, so it never holds
 * user input and is unique on the store.
 */
public final class BucketNames {

  /** The default prefix of bucket names. */
  public static final String DEFAULT_PREFIX = "miosa-";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("([a-z0-9][a-z0-9-]{0,19})?");
  private static final Pattern IP_LIKE = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

  private BucketNames() {}

  /**
   * The bucket of a resource: {@code prefix} and the random part of its id, e.g. {@code
   * miosa-k3x9...} (26 characters with the default prefix).
   *
   * @param prefix a prefix accepted by {@link #requireValidPrefix}
   * @param resourceId the resource id ({@code res_<20 lowercase letters and digits>})
   * @return the bucket name
   * @throws IllegalArgumentException if the id is not of the expected shape
   */
  public static String forResource(String prefix, String resourceId) {
    String random = resourceId.substring(resourceId.indexOf('_') + 1);
    if (!random.matches("[a-z0-9]{8,40}")) {
      throw new IllegalArgumentException("unexpected resource id shape");
    }
    return requireValid(prefix + random);
  }

  /**
   * Checks a bucket name.
   *
   * @param name the name
   * @return the name
   * @throws IllegalArgumentException saying which rule it breaks
   */
  public static String requireValid(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a bucket name has 3 to 63 lowercase letters, digits and '-', and starts and ends with a letter or digit");
    }
    if (IP_LIKE.matcher(name).matches() || name.startsWith("xn--") || name.endsWith("-s3alias")) {
      throw new IllegalArgumentException(
          "a bucket name must not look like an IP address, start with xn-- or end with -s3alias");
    }
    return name;
  }

  /**
   * Checks a bucket name prefix: empty, or up to 20 lowercase letters, digits and {@code -}
   * starting with a letter or digit.
   *
   * @param prefix the prefix
   * @throws IllegalArgumentException when it is not
   */
  public static void requireValidPrefix(String prefix) {
    if (!PREFIX.matcher(prefix).matches() || prefix.startsWith("xn--")) {
      throw new IllegalArgumentException(
          "the bucket prefix has at most 20 lowercase letters, digits and '-', starting with a letter or digit");
    }
  }
}
