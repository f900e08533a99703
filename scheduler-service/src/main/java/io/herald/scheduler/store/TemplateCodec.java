package io.herald.scheduler.store;

import static io.herald.scheduler.store.StoreCodecs.has;

import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.WindowPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A definition's template and window policy in the store's binary layout (ADR 0021): the two
 * optional components format 2 grew at the end of a definition. A value written before has no
 * presence bits for them and reads as before; a scheduler older than ADR 0021 refuses a value that
 * has them (its presence check names the extra bits) instead of dropping them silently.
 */
final class TemplateCodec {

  private TemplateCodec() {}

  static void write(StoreCodecs.Out out, MessageTemplate t) {
    out.presence(t.name(), t.language());
    out.stringIfPresent(t.name());
    out.stringIfPresent(t.language());
    out.count(t.components().size());
    for (MessageTemplate.Component c : t.components()) {
      out.presence(c.type(), c.subType(), c.index());
      out.stringIfPresent(c.type());
      out.stringIfPresent(c.subType());
      out.intIfPresent(c.index());
      out.count(c.parameters().size());
      for (MessageTemplate.Parameter p : c.parameters()) {
        out.presence(p.type(), p.text(), p.link());
        out.stringIfPresent(p.type());
        out.stringIfPresent(p.text());
        out.stringIfPresent(p.link());
      }
    }
  }

  static MessageTemplate read(StoreCodecs.In in) {
    int p = in.presence(2);
    String name = has(p, 0) ? in.string() : null;
    String language = has(p, 1) ? in.string() : null;
    int n = in.count();
    List<MessageTemplate.Component> components = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int cp = in.presence(3);
      String type = has(cp, 0) ? in.string() : null;
      String subType = has(cp, 1) ? in.string() : null;
      Integer index = has(cp, 2) ? in.varInt() : null;
      int m = in.count();
      List<MessageTemplate.Parameter> parameters = new ArrayList<>(m);
      for (int j = 0; j < m; j++) {
        int pp = in.presence(3);
        parameters.add(
            new MessageTemplate.Parameter(
                has(pp, 0) ? in.string() : null,
                has(pp, 1) ? in.string() : null,
                has(pp, 2) ? in.string() : null));
      }
      components.add(new MessageTemplate.Component(type, subType, index, parameters));
    }
    return new MessageTemplate(name, language, components);
  }

  static int policyCode(WindowPolicy policy) {
    return switch (policy) {
      case FREE_TEXT -> 1;
      case FALLBACK_TEMPLATE -> 2;
      case TEMPLATE_ALWAYS -> 3;
      case SKIP_OUTSIDE -> 4;
    };
  }

  static WindowPolicy policy(int code) {
    return switch (code) {
      case 1 -> WindowPolicy.FREE_TEXT;
      case 2 -> WindowPolicy.FALLBACK_TEMPLATE;
      case 3 -> WindowPolicy.TEMPLATE_ALWAYS;
      case 4 -> WindowPolicy.SKIP_OUTSIDE;
      default ->
          throw new SerializationException(
              "unknown WindowPolicy code " + code + " (written by a newer scheduler, or corrupt)");
    };
  }
}
