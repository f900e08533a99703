package io.herald.scheduler.render;

import io.herald.contracts.event.MessageTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Renders a definition's template for one recipient (ADR 0021): each text parameter with the same
 * variables and spintax seed as the message, bounded as the Cloud API bounds it (a header's text 60
 * characters, a body's parameter 1,024, a button's 128). Pure.
 */
public final class TemplateParameters {

  public static final int HEADER_TEXT_MAX_CHARS = 60;
  public static final int BODY_PARAMETER_MAX_CHARS = 1_024;
  public static final int BUTTON_PARAMETER_MAX_CHARS = 128;

  private TemplateParameters() {}

  /**
   * The template with its text parameters rendered for {@code ctx}, or empty when one renders
   * longer than its bound (the recipient is skipped as unrenderable, never cut short).
   */
  public static Optional<MessageTemplate> render(MessageTemplate template, RenderContext ctx) {
    List<MessageTemplate.Component> out = new ArrayList<>(template.components().size());
    for (MessageTemplate.Component c : template.components()) {
      int max = maxChars(c.type());
      List<MessageTemplate.Parameter> ps = new ArrayList<>(c.parameters().size());
      for (MessageTemplate.Parameter p : c.parameters()) {
        if (p.text() == null) {
          ps.add(p);
          continue;
        }
        Optional<String> text = TemplateRenderer.render(p.text(), ctx, max);
        if (text.isEmpty()) {
          return Optional.empty();
        }
        ps.add(new MessageTemplate.Parameter(p.type(), text.get(), p.link()));
      }
      out.add(new MessageTemplate.Component(c.type(), c.subType(), c.index(), ps));
    }
    return Optional.of(new MessageTemplate(template.name(), template.language(), out));
  }

  /** The longest rendered text a parameter of a component of {@code type} may have. */
  public static int maxChars(String type) {
    if ("header".equals(type)) {
      return HEADER_TEXT_MAX_CHARS;
    }
    return "button".equals(type) ? BUTTON_PARAMETER_MAX_CHARS : BODY_PARAMETER_MAX_CHARS;
  }
}
