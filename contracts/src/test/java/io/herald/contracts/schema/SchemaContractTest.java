package io.herald.contracts.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.serde.Json;
import io.herald.contracts.topic.TopicSpec;
import io.herald.contracts.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schemas and the Java records describe the same wire format: every record component is a
 * schema property and back, enum wire values match, and what Java writes validates.
 */
class SchemaContractTest {

  static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

  static Stream<Named<Object>> javaBuiltRecords() {
    return Samples.all();
  }

  // --- Java-built records validate ------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("javaBuiltRecords")
  void shouldValidateAgainstSchemaWhenJavaBuiltRecordIsSerialized(Object record) {
    Payload payload = Payload.forType(record.getClass());

    byte[] json = payload.serialize(record);

    Schemas.assertValid(payload, json, record.getClass().getSimpleName());
    assertThat(payload.deserialize(json)).isEqualTo(record);
  }

  @Test
  void shouldBuildSampleOfEveryPayloadWhenSamplesAreListed() {
    Set<Class<?>> sampled =
        Samples.all().map(n -> n.getPayload().getClass()).collect(Collectors.toSet());

    assertThat(sampled)
        .containsExactlyInAnyOrderElementsOf(
            Stream.of(Payload.values()).map(Payload::type).collect(Collectors.toList()));
  }

  // --- schema and record agree ----------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldDeclareExactlyTheRecordComponentsWhenSchemaDescribesPayload(Payload payload) {
    JsonNode schema = Schemas.tree(payload);

    assertThat(propertyNames(schema)).isEqualTo(componentNames(payload.type()));
  }

  @Test
  void shouldDeclareExactlyTheNestedComponentsWhenSchemaDefinesRuleAndPacing() {
    JsonNode change = Schemas.tree(Payload.SCHEDULE_CHANGE);

    assertThat(propertyNames(change.at("/$defs/RuleSpec")))
        .isEqualTo(componentNames(RuleSpec.class));
    assertThat(propertyNames(change.at("/$defs/PacingSpec")))
        .isEqualTo(componentNames(PacingSpec.class));
  }

  @Test
  void shouldShareOnePacingDefinitionWhenTwoSchemasEmbedIt() {
    assertThat(Schemas.tree(Payload.SEND_COMMAND).at("/$defs/PacingSpec"))
        .isEqualTo(Schemas.tree(Payload.SCHEDULE_CHANGE).at("/$defs/PacingSpec"));
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldListEveryWireValueWhenComponentIsJavaEnum(Payload payload) {
    JsonNode properties = Schemas.tree(payload).get("properties");
    for (RecordComponent c : payload.type().getRecordComponents()) {
      if (!c.getType().isEnum()) {
        continue;
      }
      Set<String> wire =
          Arrays.stream(c.getType().getEnumConstants())
              .map(e -> Json.mapper().convertValue(e, String.class))
              .collect(Collectors.toCollection(TreeSet::new));
      JsonNode declared = properties.path(c.getName()).path("enum");

      assertThat(declared.isArray()).as("%s.%s has an enum", payload, c.getName()).isTrue();
      Set<String> listed =
          StreamSupport.stream(declared.spliterator(), false)
              .filter(v -> !v.isNull())
              .map(JsonNode::asText)
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(listed)
          .as("%s.%s", payload, c.getName())
          .isEqualTo(wire)
          .allMatch(v -> v.equals(v.toLowerCase()));
    }
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldRequireOnlyDeclaredPropertiesWhenSchemaListsRequired(Payload payload) {
    JsonNode schema = Schemas.tree(payload);
    Set<String> declared = propertyNames(schema);
    List<String> required = new ArrayList<>();
    collectRequired(schema, required);

    assertThat(required).isNotEmpty();
    assertThat(declared).containsAll(required);
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldDescribeEveryPropertyWhenSchemaIsPublished(Payload payload) {
    JsonNode schema = Schemas.tree(payload);
    List<JsonNode> objects = new ArrayList<>(List.of(schema));
    schema.path("$defs").forEach(objects::add);

    assertThat(schema.path("description").asText()).isNotBlank();
    for (JsonNode object : objects) {
      assertThat(object.path("description").asText()).isNotBlank();
      object
          .get("properties")
          .fields()
          .forEachRemaining(
              p ->
                  assertThat(p.getValue().path("description").asText())
                      .as("%s: description of %s", payload, p.getKey())
                      .isNotBlank());
    }
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldBeOpenDraft202012ObjectWhenSchemaIsPublished(Payload payload) {
    JsonNode schema = Schemas.tree(payload);

    assertThat(schema.path("$schema").asText()).isEqualTo(DRAFT_2020_12);
    assertThat(schema.path("type").asText()).isEqualTo("object");
    assertThat(schema.path("additionalProperties").asBoolean(false)).isTrue();
    schema
        .path("$defs")
        .forEach(d -> assertThat(d.path("additionalProperties").asBoolean(false)).isTrue());
  }

  @ParameterizedTest
  @EnumSource(Payload.class)
  void shouldConformToMetaSchemaWhenSchemaIsChecked(Payload payload) {
    var meta =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(SchemaLocation.of(DRAFT_2020_12));

    Set<ValidationMessage> errors = meta.validate(Schemas.tree(payload));

    assertThat(errors).isEmpty();
  }

  @Test
  void shouldHaveSchemaWhenTopicCarriesPayload() {
    Set<String> withSchema =
        Stream.of(Payload.values()).map(p -> p.topic().name()).collect(Collectors.toSet());

    assertThat(Topics.ALL.stream().map(TopicSpec::name)).allMatch(withSchema::contains);
    assertThat(withSchema).hasSameSizeAs(Topics.ALL);
  }

  @Test
  void shouldHavePayloadWhenSchemaFileIsPublished() throws IOException, URISyntaxException {
    Path dir = Path.of(SchemaContractTest.class.getResource("/schemas").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      Set<String> published =
          files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));

      assertThat(published)
          .isEqualTo(
              Stream.of(Payload.values())
                  .map(p -> p.stem() + ".schema.json")
                  .collect(Collectors.toCollection(TreeSet::new)));
    }
  }

  @Test
  void shouldShipSchemasInJarWhenLoadedFromClasspath() throws IOException {
    for (Payload p : Payload.values()) {
      try (InputStream in = Json.class.getResourceAsStream(p.schemaResource())) {
        assertThat(in).as(p.schemaResource()).isNotNull();
      }
    }
  }

  // --- the schema rejects what Java cannot use -------------------------------------------------

  @Test
  void shouldAcceptDeleteWhenItCarriesOnlyOpKeyAndKind() {
    assertThat(
            Schemas.errors(
                Payload.SCHEDULE_CHANGE,
                "{\"op\":\"delete\",\"scheduleKey\":\"broadcast:1\",\"kind\":\"broadcast\"}"))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"op", "scheduleKey", "kind"})
  void shouldRejectDeleteWhenIdentityFieldIsMissing(String field) {
    ObjectNode delete =
        (ObjectNode)
            Schemas.parse(
                "{\"op\":\"delete\",\"scheduleKey\":\"recurring:1\",\"kind\":\"recurring\"}");
    delete.remove(field);

    assertThat(Schemas.validate(Payload.SCHEDULE_CHANGE, delete)).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"schemaVersion", "active"})
  void shouldRejectUpsertWhenSchemaVersionOrActiveIsMissing(String field) {
    ObjectNode upsert =
        (ObjectNode) Schemas.parse(Payload.SCHEDULE_CHANGE.serialize(Samples.recurringUpsert()));
    upsert.remove(field);

    assertThat(Schemas.validate(Payload.SCHEDULE_CHANGE, upsert))
        .extracting(ValidationMessage::getMessage)
        .anyMatch(m -> m.contains(field));
  }

  @ParameterizedTest
  @ValueSource(strings = {"broadcast:1", "autopost:1", "recurring", "recurring:", "RECURRING:1"})
  void shouldRejectChangeWhenKeyDoesNotStartWithItsKind(String key) {
    String json = "{\"op\":\"delete\",\"scheduleKey\":\"" + key + "\",\"kind\":\"recurring\"}";

    assertThat(Schemas.errors(Payload.SCHEDULE_CHANGE, json)).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"RECURRING", "Recurring", "weekly", ""})
  void shouldRejectKindWhenItIsNotLowerCaseWireValue(String kind) {
    String json = "{\"op\":\"delete\",\"scheduleKey\":\"recurring:1\",\"kind\":\"" + kind + "\"}";

    assertThat(Schemas.errors(Payload.SCHEDULE_CHANGE, json)).isNotEmpty();
  }

  @Test
  void shouldRejectExplicitNullWhenPropertyIsJavaPrimitive() {
    ObjectNode upsert =
        (ObjectNode) Schemas.parse(Payload.SCHEDULE_CHANGE.serialize(Samples.recurringUpsert()));
    upsert.putNull("active");

    assertThat(Schemas.validate(Payload.SCHEDULE_CHANGE, upsert)).isNotEmpty();
  }

  @Test
  void shouldAcceptLooseRuleValuesWhenSchedulerReportsThemItself() {
    ObjectNode upsert =
        (ObjectNode) Schemas.parse(Payload.SCHEDULE_CHANGE.serialize(Samples.recurringUpsert()));
    ObjectNode rule = (ObjectNode) upsert.get("rule");
    rule.put("frequency", "fortnightly");
    rule.put("timeOfDay", "25:00");
    rule.put("timezone", "Mars/Olympus_Mons");
    rule.put("startDate", "next monday");
    rule.put("scheduledAt", "soon");
    rule.putNull("endDate");

    assertThat(Schemas.validate(Payload.SCHEDULE_CHANGE, upsert)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c1-97F836A6A2656D1A7A4C77DC042D6719",
        "97f836a6a2656d1a7a4c77dc042d6719",
        "c1-97f836a6a2656d1a7a4c77dc042d671",
        "c1-97f836a6a2656d1a7a4c77dc042d67190",
        "c2-97f836a6a2656d1a7a4c77dc042d6719",
        "c1-+6281234567890"
      })
  void shouldRejectCommandIdWhenItDoesNotMatchPattern(String commandId) {
    ObjectNode result = validDeliveryResult();
    result.put("commandId", commandId);

    assertThat(Schemas.validate(Payload.DELIVERY_RESULT, result)).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2025-03-03T01:30:00", "2025-03-03", "01:30", "1740965400", "tomorrow"})
  void shouldRejectInstantWhenItIsNotRfc3339WithOffset(String instant) {
    ObjectNode result = validDeliveryResult();
    result.put("finishedAt", instant);

    assertThat(Schemas.validate(Payload.DELIVERY_RESULT, result)).isNotEmpty();
  }

  @Test
  void shouldAcceptInstantWhenItCarriesNonUtcOffset() {
    ObjectNode result = validDeliveryResult();
    result.put("finishedAt", "2025-03-03T08:30:00.5+07:00");

    assertThat(Schemas.validate(Payload.DELIVERY_RESULT, result)).isEmpty();
    assertThat(Payload.DELIVERY_RESULT.deserialize(result.toString().getBytes())).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"SENT", "delivered", "read"})
  void shouldRejectStatusWhenItIsNotWireValue(String status) {
    ObjectNode result = validDeliveryResult();
    result.put("status", status);

    assertThat(Schemas.validate(Payload.DELIVERY_RESULT, result)).isNotEmpty();
  }

  @Test
  void shouldRejectScheduleErrorWhenReasonIsUnknownOrReasonsEmpty() {
    ObjectNode error =
        (ObjectNode) Schemas.parse(Golden.bytes(Payload.SCHEDULE_ERROR, "invalid-rule.json"));
    ObjectNode unknownReason = error.deepCopy().put("reason", "INVALID_RULE");
    ObjectNode noReasons = error.deepCopy();
    noReasons.putArray("reasons");

    assertThat(Schemas.validate(Payload.SCHEDULE_ERROR, unknownReason)).isNotEmpty();
    assertThat(Schemas.validate(Payload.SCHEDULE_ERROR, noReasons)).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"schemaVersion", "tenantId", "transport", "status"})
  void shouldRequireDeviceFieldWhenDeviceIsNotDeleted(String field) {
    ObjectNode device =
        (ObjectNode) Schemas.parse(Golden.bytes(Payload.DEVICE_INFO, "active.json"));
    device.remove(field);

    assertThat(Schemas.validate(Payload.DEVICE_INFO, device)).isNotEmpty();
    device.put("deleted", true);
    assertThat(Schemas.validate(Payload.DEVICE_INFO, device)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"schemaVersion", "tenantId", "phoneNumber", "optedOut"})
  void shouldRequireContactFieldWhenContactIsNotDeleted(String field) {
    ObjectNode contact =
        (ObjectNode) Schemas.parse(Golden.bytes(Payload.CONTACT_INFO, "contact-with-fields.json"));
    contact.remove(field);

    assertThat(Schemas.validate(Payload.CONTACT_INFO, contact)).isNotEmpty();
    contact.put("deleted", true);
    assertThat(Schemas.validate(Payload.CONTACT_INFO, contact)).isEmpty();
  }

  @Test
  void shouldRejectRecipientsWhenAnEntryIsNotString() {
    ObjectNode upsert =
        (ObjectNode) Schemas.parse(Payload.SCHEDULE_CHANGE.serialize(Samples.recurringUpsert()));
    upsert.putArray("recipients").add("+6281234567890").addNull();

    assertThat(Schemas.validate(Payload.SCHEDULE_CHANGE, upsert)).isNotEmpty();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static ObjectNode validDeliveryResult() {
    return (ObjectNode) Schemas.parse(Golden.bytes(Payload.DELIVERY_RESULT, "sent.json"));
  }

  private static Set<String> propertyNames(JsonNode schema) {
    Set<String> names = new TreeSet<>();
    schema.get("properties").fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Set<String> componentNames(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents())
        .map(RecordComponent::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every "required" list, including those inside allOf / if / then / else. */
  private static void collectRequired(JsonNode node, List<String> into) {
    if (node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        JsonNode child = node.get(name);
        if (name.equals("required") && child.isArray()) {
          child.forEach(r -> into.add(r.asText()));
        } else if (!name.equals("properties") && !name.equals("$defs")) {
          collectRequired(child, into);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectRequired(n, into));
    }
  }
}
