package io.herald.webhook.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.webhook.check.VerifyHandshake.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerifyHandshakeTest {

  private final VerifyHandshake handshake = new VerifyHandshake("our token/+&");

  private static final String TOKEN = "our+token%2F%2B%26"; // the same, URL-encoded

  @Test
  void shouldEchoTheChallengeWhenModeAndTokenMatch() {
    VerifyHandshake.Answer a =
        handshake.answer(
            "hub.mode=subscribe&hub.verify_token=" + TOKEN + "&hub.challenge=1158201444");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("1158201444");
    assertThat(a.outcome()).isEqualTo(Outcome.VERIFIED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=our+token&hub.challenge=1", // a prefix of ours
        "hub.mode=unsubscribe&hub.verify_token=" + TOKEN + "&hub.challenge=1",
        "hub.verify_token=" + TOKEN + "&hub.challenge=1",
        "hub.mode=subscribe&hub.challenge=1",
        ""
      })
  void shouldRefuseWhenTheTokenOrModeIsWrong(String query) {
    VerifyHandshake.Answer a = handshake.answer(query);
    assertThat(a.status()).isEqualTo(403);
    assertThat(a.outcome()).isEqualTo(Outcome.REFUSED);
  }

  @Test
  void shouldRefuseWhenThereIsNoQuery() {
    assertThat(handshake.answer(null).status()).isEqualTo(403);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "12%2034",
        "abc-def",
        "" // present but empty
      })
  void shouldAnswerBadRequestWhenTheChallengeIsNotAlphanumeric(String challenge) {
    VerifyHandshake.Answer a =
        handshake.answer(
            "hub.mode=subscribe&hub.verify_token=" + TOKEN + "&hub.challenge=" + challenge);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.outcome()).isEqualTo(Outcome.BAD_REQUEST);
    assertThat(a.body()).doesNotContain("script");
  }

  @Test
  void shouldAnswerBadRequestWhenTheChallengeIsLongerThanTheBound() {
    String q = "hub.mode=subscribe&hub.verify_token=" + TOKEN + "&hub.challenge=";
    assertThat(handshake.answer(q + "9".repeat(VerifyHandshake.CHALLENGE_MAX_CHARS)).status())
        .isEqualTo(200);
    assertThat(handshake.answer(q + "9".repeat(VerifyHandshake.CHALLENGE_MAX_CHARS + 1)).status())
        .isEqualTo(400);
  }

  @Test
  void shouldAnswerBadRequestWhenTheQueryIsMalformedOrTooLong() {
    assertThat(handshake.answer("hub.mode=%zz").status()).isEqualTo(400);
    assertThat(handshake.answer("x=" + "a".repeat(VerifyHandshake.QUERY_MAX_CHARS)).status())
        .isEqualTo(400);
  }

  @Test
  void shouldTakeTheFirstValueWhenANameRepeats() {
    VerifyHandshake.Answer a =
        handshake.answer(
            "hub.mode=subscribe&hub.verify_token=wrong&hub.verify_token="
                + TOKEN
                + "&hub.challenge=1");
    assertThat(a.status()).isEqualTo(403);
  }

  @Test
  void shouldNeverShowTheTokenWhenPrinted() {
    assertThat(handshake.toString()).doesNotContain("our token");
  }
}
