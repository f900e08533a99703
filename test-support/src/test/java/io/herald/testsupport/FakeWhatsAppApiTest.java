package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.testsupport.FakeWhatsAppApi.Answer;
import io.herald.testsupport.FakeWhatsAppApi.Api;
import io.herald.testsupport.FakeWhatsAppApi.Request;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FakeWhatsAppApiTest {

  private static final String TEXT_BODY =
      """
      {"messaging_product":"whatsapp","recipient_type":"individual","to":"4915112345678",
       "type":"text","text":{"preview_url":false,"body":"Hello Ana"}}\
      """;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private FakeWhatsAppApi api;

  @BeforeEach
  void start() {
    api = FakeWhatsAppApi.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Nested
  class CloudApi {

    @Test
    void shouldAnswerWithWamidWhenTokenAndBodyAreValid() throws Exception {
      HttpResponse<String> response = cloud(TEXT_BODY, "Bearer " + api.accessToken());

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = json.readTree(response.body());
      assertThat(body.path("messaging_product").asText()).isEqualTo("whatsapp");
      assertThat(body.path("contacts").get(0).path("input").asText()).isEqualTo("4915112345678");
      assertThat(body.path("contacts").get(0).path("wa_id").asText()).isEqualTo("4915112345678");
      String wamid = body.path("messages").get(0).path("id").asText();
      assertThat(wamid).startsWith("wamid.");

      Request recorded = api.requests().get(0);
      assertThat(recorded.api()).isEqualTo(Api.CLOUD);
      assertThat(recorded.apiVersion()).isEqualTo("v21.0");
      assertThat(recorded.phoneNumberId()).isEqualTo("106540352242922");
      assertThat(recorded.to()).isEqualTo("4915112345678");
      assertThat(recorded.type()).isEqualTo("text");
      assertThat(recorded.text()).isEqualTo("Hello Ana");
      assertThat(recorded.status()).isEqualTo(200);
      assertThat(recorded.messageId()).isEqualTo(wamid);
    }

    @Test
    void shouldGiveEveryMessageItsOwnWamid() throws Exception {
      String first = cloud(TEXT_BODY, bearer()).body();
      String second = cloud(TEXT_BODY, bearer()).body();

      assertThat(json.readTree(first).at("/messages/0/id").asText())
          .isNotEqualTo(json.readTree(second).at("/messages/0/id").asText());
    }

    @Test
    void shouldRejectWithOAuthErrorWhenTokenIsWrong() throws Exception {
      HttpResponse<String> response = cloud(TEXT_BODY, "Bearer nope");

      assertThat(response.statusCode()).isEqualTo(401);
      JsonNode error = json.readTree(response.body()).path("error");
      assertThat(error.path("code").asInt()).isEqualTo(190);
      assertThat(error.path("type").asText()).isEqualTo("OAuthException");
    }

    @Test
    void shouldRecordHeadersWithoutAuthorization() throws Exception {
      cloud(TEXT_BODY, bearer());

      Request recorded = api.requests().get(0);
      assertThat(recorded.headers()).doesNotContainKey("Authorization");
      assertThat(recorded.header("content-type")).contains("application/json");
      assertThat(recorded.body()).contains("Hello Ana");
    }

    @Test
    void shouldRejectBodyWithoutMessagingProduct() throws Exception {
      HttpResponse<String> response =
          cloud("{\"to\":\"1\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}", bearer());

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(json.readTree(response.body()).at("/error/code").asInt()).isEqualTo(100);
    }

    @Test
    void shouldRecordImageLinkAndCaption() throws Exception {
      String image =
          """
          {"messaging_product":"whatsapp","to":"15551234567","type":"image",
           "image":{"link":"https://example.org/a.png","caption":"Look"}}\
          """;

      assertThat(cloud(image, bearer()).statusCode()).isEqualTo(200);

      Request recorded = api.requests().get(0);
      assertThat(recorded.type()).isEqualTo("image");
      assertThat(recorded.mediaLink()).isEqualTo("https://example.org/a.png");
      assertThat(recorded.caption()).isEqualTo("Look");
    }

    @Test
    void shouldTakeCommandIdFromHeaderOrCallbackData() throws Exception {
      HttpRequest withHeader =
          cloudRequest(TEXT_BODY, bearer())
              .header(FakeWhatsAppApi.COMMAND_ID_HEADER, "cmd-1")
              .build();
      http.send(withHeader, HttpResponse.BodyHandlers.ofString());
      cloud(
          TEXT_BODY.replace("\"type\"", "\"biz_opaque_callback_data\":\"cmd-2\",\"type\""),
          bearer());

      assertThat(api.requests())
          .extracting(r -> r.commandId().orElse(null))
          .containsExactly("cmd-1", "cmd-2");
    }
  }

  @Nested
  class Scripting {

    @Test
    void shouldAnswerScriptedRateLimitWithRetryAfterThenSucceed() throws Exception {
      api.enqueue(Answer.rateLimited(Duration.ofMillis(1500)));

      HttpResponse<String> limited = cloud(TEXT_BODY, bearer());
      HttpResponse<String> next = cloud(TEXT_BODY, bearer());

      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).contains("2");
      JsonNode error = json.readTree(limited.body()).path("error");
      assertThat(error.path("code").asInt()).isEqualTo(130429);
      assertThat(error.path("type").asText()).isEqualTo("OAuthException");
      assertThat(error.path("fbtrace_id").asText()).isNotBlank();
      assertThat(next.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswerPerRecipientScriptBeforeSharedQueue() throws Exception {
      api.enqueue(Answer.serverError())
          .enqueueFor("+4915112345678", Answer.undeliverable().withSubcode(2494010));

      HttpResponse<String> forRecipient = cloud(TEXT_BODY, bearer());
      HttpResponse<String> shared = cloud(TEXT_BODY.replace("4915112345678", "4900"), bearer());

      assertThat(forRecipient.statusCode()).isEqualTo(400);
      assertThat(json.readTree(forRecipient.body()).at("/error/code").asInt()).isEqualTo(131026);
      assertThat(json.readTree(forRecipient.body()).at("/error/error_subcode").asInt())
          .isEqualTo(2494010);
      assertThat(shared.statusCode()).isEqualTo(500);
      assertThat(api.requestsTo("+4915112345678")).hasSize(1);
    }

    @Test
    void shouldKeepAnsweringDefaultWhenQueuesAreEmpty() throws Exception {
      api.defaultAnswer(Answer.spamRateLimited());

      assertThat(cloud(TEXT_BODY, bearer()).statusCode()).isEqualTo(400);
      assertThat(json.readTree(cloud(TEXT_BODY, bearer()).body()).at("/error/code").asInt())
          .isEqualTo(131048);
    }

    @Test
    void shouldDelayAnswerButRecordArrivalTime() throws Exception {
      api.enqueue(Answer.ok().withDelay(Duration.ofMillis(300)));
      Instant before = Instant.now();

      HttpResponse<String> response = cloud(TEXT_BODY, bearer());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(Duration.between(before, Instant.now()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(Duration.between(before, api.requests().get(0).receivedAt()))
          .isLessThan(Duration.ofMillis(300));
    }

    @Test
    void shouldDropConnectionOfHungRequestWhenClosed() {
      api.enqueue(Answer.hang());
      CompletableFuture<HttpResponse<String>> pending =
          http.sendAsync(
              cloudRequest(TEXT_BODY, bearer()).build(), HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(5)).until(() -> api.requestCount() == 1);
      assertThat(pending).isNotDone();

      api.close();

      assertThatThrownBy(() -> pending.get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IOException.class);
      assertThat(api.requests().get(0).status()).isZero();
    }

    @Test
    void shouldForgetEverythingOnReset() throws Exception {
      api.enqueue(Answer.serverError()).delay(Duration.ofSeconds(5));
      api.reset();

      assertThat(cloud(TEXT_BODY, bearer()).statusCode()).isEqualTo(200);
      assertThat(api.requests()).hasSize(1);
    }
  }

  @Nested
  class Gateway {

    @Test
    void shouldSendTextWhenApiKeyMatches() throws Exception {
      HttpResponse<String> response =
          gateway(
              "/api/sendText",
              "{\"session\":\"default\",\"chatId\":\"4915112345678@c.us\",\"text\":\"Hi\"}",
              api.apiKey());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(json.readTree(response.body()).path("id").asText())
          .startsWith("true_4915112345678@c.us_");
      Request recorded = api.requests().get(0);
      assertThat(recorded.api()).isEqualTo(Api.GATEWAY);
      assertThat(recorded.to()).isEqualTo("4915112345678@c.us");
      assertThat(recorded.text()).isEqualTo("Hi");
      assertThat(recorded.headers()).doesNotContainKey("X-Api-Key");
      assertThat(api.requestsTo("+4915112345678")).hasSize(1);
    }

    @Test
    void shouldRecordImageFileAndCaption() throws Exception {
      HttpResponse<String> response =
          gateway(
              "/api/sendImage",
              "{\"session\":\"default\",\"chatId\":\"120363@g.us\",\"file\":{\"url\":\"https://example.org/a.png\"},\"caption\":\"Cap\"}",
              api.apiKey());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(api.requests().get(0).mediaLink()).isEqualTo("https://example.org/a.png");
      assertThat(api.requests().get(0).caption()).isEqualTo("Cap");
      assertThat(api.requests().get(0).type()).isEqualTo("image");
    }

    @Test
    void shouldRejectWrongApiKey() throws Exception {
      assertThat(
              gateway("/api/sendText", "{\"chatId\":\"1@c.us\",\"text\":\"x\"}", "bad")
                  .statusCode())
          .isEqualTo(401);
    }

    @Test
    void shouldAnswerScriptedErrorInNestShape() throws Exception {
      api.enqueue(Answer.rateLimited(Duration.ofSeconds(3)));

      HttpResponse<String> response =
          gateway("/api/sendText", "{\"chatId\":\"1@c.us\",\"text\":\"x\"}", api.apiKey());

      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).contains("3");
      assertThat(json.readTree(response.body()).path("statusCode").asInt()).isEqualTo(429);
    }
  }

  private String bearer() {
    return "Bearer " + api.accessToken();
  }

  private HttpRequest.Builder cloudRequest(String body, String authorization) {
    return HttpRequest.newBuilder(api.messagesUri("v21.0", "106540352242922"))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> cloud(String body, String authorization) throws Exception {
    return http.send(
        cloudRequest(body, authorization).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> gateway(String path, String body, String apiKey) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("X-Api-Key", apiKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
