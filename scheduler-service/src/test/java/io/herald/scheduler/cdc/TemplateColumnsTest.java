package io.herald.scheduler.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.serde.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A row's template columns (V9) as the Cloud API documents components, mapped (ADR 0021). */
class TemplateColumnsTest {

  private static final ObjectMapper JSON = Json.mapper();

  private static ObjectNode row(String name, String language, String components, String policy) {
    ObjectNode row = JSON.createObjectNode();
    row.put("template_name", name);
    row.put("template_language", language);
    row.put("template_components", components); // Debezium hands jsonb over as text
    row.put("window_policy", policy);
    return row;
  }

  @Test
  void shouldMapTheCloudApiComponentsWhenRowHasATemplate() {
    List<String> errors = new ArrayList<>();
    ObjectNode row =
        row(
            "class_reminder",
            "id",
            "[{\"type\":\"HEADER\",\"parameters\":[{\"type\":\"image\",\"image\":{\"link\":"
                + "\"https://cdn.example.com/a.png\"}}]},"
                + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"{name}\"}]},"
                + "{\"type\":\"button\",\"sub_type\":\"quick_reply\",\"index\":\"0\","
                + "\"parameters\":[{\"type\":\"payload\",\"payload\":\"STOP\"}]}]",
            "Template_Always ");

    MessageTemplate t = TemplateColumns.template(JSON, row, errors);

    assertThat(errors).isEmpty();
    assertThat(TemplateColumns.windowPolicy(row, errors)).isEqualTo(WindowPolicy.TEMPLATE_ALWAYS);
    assertThat(t.name()).isEqualTo("class_reminder");
    assertThat(t.language()).isEqualTo("id");
    assertThat(t.components())
        .containsExactly(
            new MessageTemplate.Component(
                "header",
                null,
                null,
                List.of(
                    new MessageTemplate.Parameter("image", null, "https://cdn.example.com/a.png"))),
            new MessageTemplate.Component(
                "body", null, null, List.of(new MessageTemplate.Parameter("text", "{name}", null))),
            new MessageTemplate.Component(
                "button",
                "quick_reply",
                0,
                List.of(new MessageTemplate.Parameter("payload", "STOP", null))));
  }

  @Test
  void shouldMapNothingWhenRowHasNoTemplate() {
    List<String> errors = new ArrayList<>();
    ObjectNode row = JSON.createObjectNode();
    row.putNull("template_name");
    row.putNull("template_components");

    assertThat(TemplateColumns.template(JSON, row, errors)).isNull();
    assertThat(TemplateColumns.windowPolicy(row, errors)).isNull();
    assertThat(errors).isEmpty();
  }

  @Test
  void shouldNameThePathOfEveryShapeProblemWithoutQuotingValues() {
    List<String> errors = new ArrayList<>();
    ObjectNode row =
        row(
            "t",
            "en",
            "[1,{\"type\":\"body\",\"parameters\":{\"a\":1}},"
                + "{\"type\":\"body\",\"parameters\":[{\"type\":\"currency\"},"
                + "{\"type\":\"text\",\"text\":7},{\"type\":\"image\",\"image\":{}}]},"
                + "{\"type\":\"button\",\"index\":\"first\"}]",
            "sometimes");

    TemplateColumns.template(JSON, row, errors);
    TemplateColumns.windowPolicy(row, errors);

    assertThat(errors)
        .containsExactly(
            "template_components[0] must be an object, got a number",
            "template_components[1].parameters must be an array, got an object",
            "template_components[2].parameters[0].type must be text, payload, image, video or"
                + " document",
            "template_components[2].parameters[1].text must be a string, got a number",
            "template_components[2].parameters[2].image.link must be a string, got null",
            "template_components[3].index must be a whole number, got a string",
            "window_policy must be one of free_text, fallback_template, template_always,"
                + " skip_outside");
  }

  @Test
  void shouldReportComponentsThatAreNotAnArray() {
    List<String> errors = new ArrayList<>();
    TemplateColumns.template(JSON, row("t", "en", "{\"type\":\"body\"}", null), errors);
    TemplateColumns.template(JSON, row("t", "en", "not json", null), errors);

    assertThat(errors)
        .containsExactly(
            "template_components must be a JSON array of components, got an object",
            "template_components must be a JSON array of components, got text that is not JSON");
  }
}
