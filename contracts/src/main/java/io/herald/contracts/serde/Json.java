package io.herald.contracts.serde;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one configured {@link ObjectMapper} of Herald's contracts. Readers ignore unknown fields and
 * default absent ones (null for objects, 0/false for primitives) so payloads can evolve additively;
 * instants are ISO-8601 strings so other languages can produce them.
 */
public final class Json {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // Off on purpose: with it on, Jackson also rejects an *absent* primitive creator
          // property (a delete carrying only op/scheduleKey/kind, or any payload older than a
          // field added later), which breaks additive evolution. Absent or null primitives read
          // as 0/false; the JSON Schemas forbid explicit nulls there.
          .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private Json() {}

  /** The shared mapper; thread-safe once configured, never reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
