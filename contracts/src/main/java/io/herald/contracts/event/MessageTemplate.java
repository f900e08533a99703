package io.herald.contracts.event;

import java.util.List;

/**
 * An approved WhatsApp template as a definition names it, and (rendered) as a send-command carries
 * it. In a definition, text parameters may hold the renderer's variables and spintax; in a
 * send-command they are final for the recipient. Gateways have no templates: they send the rendered
 * message text.
 *
 * @param name the template's name as approved ({@code order_update})
 * @param language its language code ({@code en_US}, {@code id})
 * @param components header, body and button components with their parameters, in order
 */
public record MessageTemplate(String name, String language, List<Component> components) {

  public MessageTemplate {
    components = components == null ? List.of() : List.copyOf(components);
  }

  /**
   * One component: {@code header}, {@code body} or {@code button} (with {@code subType} {@code
   * quick_reply} or {@code url} and its {@code index}).
   */
  public record Component(String type, String subType, Integer index, List<Parameter> parameters) {

    public Component {
      parameters = parameters == null ? List.of() : List.copyOf(parameters);
    }
  }

  /**
   * One parameter: {@code text} (fills {@code {{n}}} in order), {@code payload} (a quick-reply
   * button's), or header media {@code image}, {@code video}, {@code document} with {@code link}.
   */
  public record Parameter(String type, String text, String link) {}

  /** The same template with every text parameter replaced by {@code render} of it. */
  public MessageTemplate mapTexts(java.util.function.UnaryOperator<String> render) {
    List<Component> out = new java.util.ArrayList<>(components.size());
    for (Component c : components) {
      List<Parameter> ps = new java.util.ArrayList<>(c.parameters().size());
      for (Parameter p : c.parameters()) {
        ps.add(p.text() == null ? p : new Parameter(p.type(), render.apply(p.text()), p.link()));
      }
      out.add(new Component(c.type(), c.subType(), c.index(), ps));
    }
    return new MessageTemplate(name, language, out);
  }
}
