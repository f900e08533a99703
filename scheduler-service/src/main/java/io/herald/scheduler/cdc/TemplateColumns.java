package io.herald.scheduler.cdc;

import static io.herald.scheduler.cdc.DebeziumColumns.describe;
import static io.herald.scheduler.cdc.DebeziumColumns.jsonb;
import static io.herald.scheduler.cdc.DebeziumColumns.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.WindowPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps a definition row's template columns (migration V9, ADR 0021) to the contract's {@link
 * MessageTemplate} and {@link WindowPolicy}. {@code template_components} is the Cloud API's own
 * components array, so a tenant can paste what Meta documents; shape problems travel as mapping
 * errors naming the path, never the value. Bounds (counts, lengths) are the validator's.
 */
final class TemplateColumns {

  private TemplateColumns() {}

  /** The row's template, or null when it names none (and has no components to complain of). */
  static MessageTemplate template(ObjectMapper json, JsonNode row, List<String> errors) {
    String name = text(row, "template_name");
    JsonNode raw = row.get("template_components");
    boolean hasComponents = raw != null && !raw.isNull();
    if (name == null && !hasComponents) {
      return null;
    }
    List<MessageTemplate.Component> components = new ArrayList<>();
    if (hasComponents) {
      JsonNode node = jsonb(json, raw);
      if (node == null || !node.isArray()) {
        errors.add(
            "template_components must be a JSON array of components, got "
                + (node == null ? "text that is not JSON" : describe(node)));
      } else {
        for (int i = 0; i < node.size(); i++) {
          MessageTemplate.Component c =
              component(node.get(i), "template_components[" + i + "]", errors);
          if (c != null) {
            components.add(c);
          }
        }
      }
    }
    return new MessageTemplate(name, text(row, "template_language"), components);
  }

  /** The row's window policy, or null (the default); an unknown word is a mapping error. */
  static WindowPolicy windowPolicy(JsonNode row, List<String> errors) {
    String raw = text(row, "window_policy");
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return WindowPolicy.fromWire(raw);
    } catch (IllegalArgumentException e) {
      errors.add(
          "window_policy must be one of free_text, fallback_template, template_always,"
              + " skip_outside");
      return null;
    }
  }

  private static MessageTemplate.Component component(JsonNode n, String path, List<String> errors) {
    if (n == null || !n.isObject()) {
      errors.add(path + " must be an object, got " + describe(n));
      return null;
    }
    String type = lower(n.get("type"));
    String subType = lower(n.get("sub_type"));
    Integer index = null;
    JsonNode idx = n.get("index");
    if (idx != null && !idx.isNull()) {
      // the Cloud API documents the index as a string ("0"); a number is fine too
      if (idx.isIntegralNumber() && idx.canConvertToInt()) {
        index = idx.intValue();
      } else if (idx.isTextual() && idx.asText().length() <= 4) {
        index = parse(idx.asText());
      }
      if (index == null) {
        errors.add(path + ".index must be a whole number, got " + describe(idx));
      }
    }
    List<MessageTemplate.Parameter> parameters = new ArrayList<>();
    JsonNode ps = n.get("parameters");
    if (ps != null && !ps.isNull()) {
      if (!ps.isArray()) {
        errors.add(path + ".parameters must be an array, got " + describe(ps));
      } else {
        for (int j = 0; j < ps.size(); j++) {
          MessageTemplate.Parameter p =
              parameter(ps.get(j), path + ".parameters[" + j + "]", errors);
          if (p != null) {
            parameters.add(p);
          }
        }
      }
    }
    return new MessageTemplate.Component(type, subType, index, parameters);
  }

  /**
   * One parameter in the Cloud API's shape: {@code {"type":"text","text":…}}, {@code
   * {"type":"payload","payload":…}}, {@code {"type":"image","image":{"link":…}}} (also video,
   * document).
   */
  private static MessageTemplate.Parameter parameter(JsonNode n, String path, List<String> errors) {
    if (n == null || !n.isObject()) {
      errors.add(path + " must be an object, got " + describe(n));
      return null;
    }
    String type = lower(n.get("type"));
    if (type == null) {
      errors.add(path + ".type is missing");
      return null;
    }
    switch (type) {
      case "text":
      case "payload":
        JsonNode t = n.get(type);
        if (t == null || !t.isTextual()) {
          errors.add(path + "." + type + " must be a string, got " + describe(t));
          return null;
        }
        return new MessageTemplate.Parameter(type, t.asText(), null);
      case "image":
      case "video":
      case "document":
        JsonNode link = n.path(type).get("link");
        if (link == null || !link.isTextual()) {
          errors.add(path + "." + type + ".link must be a string, got " + describe(link));
          return null;
        }
        return new MessageTemplate.Parameter(type, null, link.asText());
      default:
        // no currency or date_time: Herald renders those into text parameters itself
        errors.add(path + ".type must be text, payload, image, video or document");
        return null;
    }
  }

  private static String lower(JsonNode n) {
    return n != null && n.isTextual() ? n.asText().trim().toLowerCase(Locale.ROOT) : null;
  }

  private static Integer parse(String s) {
    try {
      return Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
