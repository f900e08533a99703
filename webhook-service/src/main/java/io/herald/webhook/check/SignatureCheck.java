package io.herald.webhook.check;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks {@code X-Hub-Signature-256} of a webhook POST: {@code sha256=<hex>}, the HMAC-SHA256 of
 * the raw body with the app's secret. It runs on the bytes as received, before any parsing, so a
 * forged body never reaches the JSON parser, and compares in constant time ({@link
 * MessageDigest#isEqual}), so the answer's timing tells a forger nothing about the right digest.
 * Immutable and thread-safe; the secret never appears in its {@link #toString()} or its results.
 */
public final class SignatureCheck {

  /** The header Meta signs webhook POSTs with. */
  public static final String HEADER = "X-Hub-Signature-256";

  private static final String ALGORITHM = "HmacSHA256";
  private static final String PREFIX = "sha256=";
  private static final int DIGEST_BYTES = 32;

  /** Why a signature was refused, or that it checked out; a bounded set, fit for a log line. */
  public enum Result {
    VALID,
    MISSING,
    MALFORMED,
    MISMATCH;

    public boolean valid() {
      return this == VALID;
    }
  }

  private final SecretKeySpec key;

  /**
   * @param appSecret the app secret, as shown in the Meta app dashboard (not empty)
   */
  public SignatureCheck(String appSecret) {
    Objects.requireNonNull(appSecret, "appSecret");
    if (appSecret.isEmpty()) {
      throw new IllegalArgumentException("the app secret is empty");
    }
    this.key = new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /**
   * @param header the header's value, null when absent
   * @param rawBody the body exactly as received
   */
  public Result check(String header, byte[] rawBody) {
    if (header == null || header.isBlank()) {
      return Result.MISSING;
    }
    byte[] given = parse(header.trim());
    if (given == null) {
      return Result.MALFORMED;
    }
    return MessageDigest.isEqual(sign(rawBody), given) ? Result.VALID : Result.MISMATCH;
  }

  /** {@code sha256=<lower-case hex>} of {@code body}: what the provider sends with it. */
  public String header(byte[] body) {
    return PREFIX + hex(sign(body));
  }

  private byte[] sign(byte[] body) {
    try {
      // a Mac is not thread-safe and cheap to make: one per call
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // every Java runtime must provide HmacSHA256, and any non-empty key suits it
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The digest of {@code sha256=<64 hex digits>} (either case), or null when it is not that. */
  static byte[] parse(String header) {
    if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        || header.length() != PREFIX.length() + 2 * DIGEST_BYTES) {
      return null;
    }
    byte[] out = new byte[DIGEST_BYTES];
    for (int i = 0; i < DIGEST_BYTES; i++) {
      int hi = hexDigit(header.charAt(PREFIX.length() + 2 * i));
      int lo = hexDigit(header.charAt(PREFIX.length() + 2 * i + 1));
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  /** ASCII hex only: {@link Character#digit} would also take other scripts' digits. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "SignatureCheck[" + ALGORITHM + ", key=[hidden]]";
  }
}
