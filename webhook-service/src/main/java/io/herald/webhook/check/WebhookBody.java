package io.herald.webhook.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.herald.contracts.limit.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The little the receiver reads of a signed webhook body: that it is UTF-8 JSON with an object at
 * the top, and its first {@code entry[].changes[].value.metadata.phone_number_id}, the record key
 * (the device). Everything else is the projections' business; they read the body as kept. Parsing
 * is bounded on top of the receiver's size bound: nesting depth, number and name lengths.
 */
public final class WebhookBody {

  /** Deeper than any Cloud API payload (about 7 levels), shallow enough for any stack. */
  static final int MAX_NESTING_DEPTH = 64;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(64)
                          .maxNameLength(1024)
                          .build())
                  .build())
          // "{} {}" is not one object: a body the projections would read differently
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** A body that is not UTF-8 JSON with an object at the top; the message names no content. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * @param text the body, decoded
   * @param phoneNumberId its first {@code metadata.phone_number_id}, null when none (e.g. a {@code
   *     phone_number_quality_update}, which names the display number only)
   */
  public record Read(String text, String phoneNumberId) {}

  private WebhookBody() {}

  /**
   * @throws Unreadable when the bytes are not UTF-8, not JSON, or not an object at the top
   */
  public static Read read(byte[] raw) throws Unreadable {
    String text;
    try {
      // strict: the kept string must be the signed bytes, not a repaired copy
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Unreadable("not UTF-8");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Unreadable("not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new Unreadable("not a JSON object");
    }
    return new Read(text, firstPhoneNumberId(root));
  }

  private static String firstPhoneNumberId(JsonNode root) {
    for (JsonNode entry : root.path("entry")) {
      for (JsonNode change : entry.path("changes")) {
        JsonNode id = change.path("value").path("metadata").path("phone_number_id");
        // an id is digits; a number is taken as its digits, anything else or too long is no key
        if ((id.isTextual() || id.isIntegralNumber())
            && !id.asText().isEmpty()
            && id.asText().length() <= Limits.ID_MAX_CHARS) {
          return id.asText();
        }
      }
    }
    return null;
  }
}
