package io.herald.contracts.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Loads the published schemas from the classpath and validates JSON against them. */
public final class Schemas {

  /** A plain mapper for reading JSON trees; independent of the production mapper on purpose. */
  public static final ObjectMapper TREES = new ObjectMapper();

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  /** Draft 2020-12 treats format as an annotation by default; producers rely on it asserting. */
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private static final Map<Payload, JsonSchema> SCHEMAS = new EnumMap<>(Payload.class);

  private Schemas() {}

  public static synchronized JsonSchema schema(Payload payload) {
    return SCHEMAS.computeIfAbsent(payload, p -> FACTORY.getSchema(tree(p), CONFIG));
  }

  /** The schema document itself, as a tree. */
  public static JsonNode tree(Payload payload) {
    try (InputStream in = Schemas.class.getResourceAsStream(payload.schemaResource())) {
      assertThat(in).as("schema resource %s", payload.schemaResource()).isNotNull();
      return TREES.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Set<ValidationMessage> validate(Payload payload, JsonNode json) {
    return schema(payload).validate(json);
  }

  public static List<String> errors(Payload payload, String json) {
    return validate(payload, parse(json)).stream()
        .map(ValidationMessage::getMessage)
        .sorted()
        .collect(Collectors.toList());
  }

  public static void assertValid(Payload payload, JsonNode json, String what) {
    assertThat(validate(payload, json).stream().map(ValidationMessage::getMessage))
        .as("%s must validate against %s; JSON was %s", what, payload.schemaResource(), json)
        .isEmpty();
  }

  public static void assertValid(Payload payload, byte[] json, String what) {
    assertValid(payload, parse(json), what);
  }

  public static JsonNode parse(String json) {
    try {
      return TREES.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode parse(byte[] json) {
    try {
      return TREES.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
