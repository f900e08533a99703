package io.herald.sender.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Error texts from an answer never carry the request's credential, whole or cut. */
class ErrorTextTest {

  private static final String TOKEN = "EAAGm0PX4ZCpsBAKZCk1b2c3d4e5f6g7h8i9j0";

  @Test
  void shouldHideRequestTokenWhenAnswerEchoesIt() {
    String m =
        HttpResponses.errorText(
            "Invalid OAuth access token - Cannot parse access token: " + TOKEN + ".", TOKEN);
    assertThat(m).doesNotContain(TOKEN).contains("[hidden]").startsWith("Invalid OAuth");
  }

  @Test
  void shouldHideCredentialShapesWhenTheyAreNotTheRequestToken() {
    assertThat(HttpResponses.errorText("got Authorization: Bearer abc.def-123 from you"))
        .isEqualTo("got Authorization: Bearer [hidden] from you");
    assertThat(HttpResponses.errorText("bad url ?access_token=s3cr3t&x=1"))
        .isEqualTo("bad url ?access_token=[hidden]&x=1");
    assertThat(HttpResponses.errorText("{\"apikey\": \"k-123\"} rejected"))
        .isEqualTo("{\"apikey\": \"[hidden]\"} rejected");
    assertThat(HttpResponses.errorText("token " + TOKEN + " expired"))
        .isEqualTo("token [hidden] expired");
  }

  @Test
  void shouldMaskBeforeCuttingWhenSecretStraddlesTheCut() {
    // the token starts at 290: cutting first would keep a 10-character prefix of it
    String secret = "s".repeat(5) + "ecret-key-value-0123456789";
    String m = HttpResponses.errorText("x".repeat(290) + secret, secret);
    assertThat(m).hasSizeLessThanOrEqualTo(300).doesNotContain("sssss");
  }

  @Test
  void shouldKeepPlainMessageWhenNoSecret() {
    assertThat(HttpResponses.errorText("(#131026) Message undeliverable", "tok-123"))
        .isEqualTo("(#131026) Message undeliverable");
    assertThat(HttpResponses.errorText(null, "t")).isNull();
    assertThat(HttpResponses.errorText("y".repeat(500))).hasSize(300);
  }
}
