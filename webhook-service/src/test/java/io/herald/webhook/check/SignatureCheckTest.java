package io.herald.webhook.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.webhook.check.SignatureCheck.Result;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignatureCheckTest {

  // RFC 4231-style known answer: HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy
  // dog")
  private static final String KEY = "key";
  private static final byte[] FOX =
      "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
  private static final String FOX_HEADER =
      "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";

  private final SignatureCheck check = new SignatureCheck(KEY);

  @Test
  void shouldAcceptTheKnownAnswerWhenSignedWithTheAppSecret() {
    assertThat(check.check(FOX_HEADER, FOX)).isEqualTo(Result.VALID);
    assertThat(check.header(FOX)).isEqualTo(FOX_HEADER);
  }

  @Test
  void shouldAcceptUpperCaseHexAndSurroundingSpaceWhenTheDigestMatches() {
    String upper = "SHA256=" + FOX_HEADER.substring(7).toUpperCase(Locale.ROOT);
    assertThat(check.check(" " + upper + " ", FOX)).isEqualTo(Result.VALID);
  }

  @Test
  void shouldRefuseAsMissingWhenTheHeaderIsAbsentOrBlank() {
    assertThat(check.check(null, FOX)).isEqualTo(Result.MISSING);
    assertThat(check.check("  ", FOX)).isEqualTo(Result.MISSING);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", // no prefix
        "sha1=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd", // short
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd80", // long
        "sha256=g7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", // not hex
        "sha256=\u0661\u0662bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
        "sha256="
      })
  void shouldRefuseAsMalformedWhenTheHeaderIsNotSha256Hex(String header) {
    assertThat(check.check(header, FOX)).isEqualTo(Result.MALFORMED);
  }

  @Test
  void shouldRefuseAsMismatchWhenOneByteOfTheBodyChanged() {
    byte[] tampered = FOX.clone();
    tampered[4] ^= 1;
    assertThat(check.check(FOX_HEADER, tampered)).isEqualTo(Result.MISMATCH);
  }

  @Test
  void shouldRefuseAsMismatchWhenSignedWithAnotherSecret() {
    String forged = new SignatureCheck("not-the-key").header(FOX);
    assertThat(check.check(forged, FOX)).isEqualTo(Result.MISMATCH);
  }

  @Test
  void shouldSignTheRawBytesWhenTheBodyIsNotNormalized() {
    // whitespace and key order are part of what was signed: a re-serialized body fails
    byte[] sent = "{\"a\": 1,\"b\":2}".getBytes(StandardCharsets.UTF_8);
    byte[] reserialized = "{\"a\":1,\"b\":2}".getBytes(StandardCharsets.UTF_8);
    assertThat(check.check(check.header(sent), reserialized)).isEqualTo(Result.MISMATCH);
  }

  @Test
  void shouldNeverShowTheSecretWhenPrinted() {
    assertThat(new SignatureCheck("s3cr3t-value").toString()).doesNotContain("s3cr3t");
  }

  @Test
  void shouldRefuseAnEmptySecretWhenBuilt() {
    assertThatThrownBy(() -> new SignatureCheck("")).isInstanceOf(IllegalArgumentException.class);
  }
}
