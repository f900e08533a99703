package io.herald.scheduler.schedule;

import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.scheduler.render.TemplateParameters;
import io.herald.scheduler.render.TemplateRenderer;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A definition's template and window policy (ADR 0021), checked at definition time so that a
 * template the Cloud API would refuse for its shape never reaches a send: name and language shape,
 * component types and counts, parameters per component, each text parameter's variables and its
 * length as written, header media a public https URL, buttons' kinds and indexes. Whether the
 * template is approved, and with how many body parameters, only the provider knows: a send with the
 * wrong count fails with the provider's reason. Pure.
 */
final class TemplateChecks {

  /** Meta's rule for template names. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,512}");

  /** {@code en}, {@code en_US}, {@code zh_CN}, {@code pt_BR}, {@code fil}. */
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(_[A-Za-z]{2,4})?");

  static final int MAX_COMPONENTS = 12;
  static final int MAX_BUTTONS = 10;
  static final int MAX_BODY_PARAMETERS = 32;
  static final int BODY_PARAMETER_MAX_CHARS = TemplateParameters.BODY_PARAMETER_MAX_CHARS;
  static final int HEADER_TEXT_MAX_CHARS = TemplateParameters.HEADER_TEXT_MAX_CHARS;
  static final int BUTTON_PARAMETER_MAX_CHARS = TemplateParameters.BUTTON_PARAMETER_MAX_CHARS;

  private TemplateChecks() {}

  static void check(Definition d, List<ScheduleValidator.Problem> problems) {
    MessageTemplate t = d.template();
    WindowPolicy policy = d.windowPolicy();
    if (t == null) {
      if (policy != null && policy.needsTemplate()) {
        add(problems, "window_policy " + policy.wire() + " needs a template (template_name)");
      }
      return;
    }
    if (d.kind() == ScheduleKind.AUTOPOST) {
      add(
          problems,
          "auto-posts go to groups through gateways, which have no templates: remove the"
              + " template");
      return;
    }
    if (t.name() == null || t.name().isBlank()) {
      add(problems, "template_components need a template_name");
    } else if (!NAME.matcher(t.name()).matches()) {
      add(
          problems,
          "template_name must be 1-512 lower-case letters, digits and underscores, as approved");
    }
    if (t.language() == null || t.language().isBlank()) {
      add(problems, "template_language is required with a template (for example en_US or id)");
    } else if (t.language().length() > 16 || !LANGUAGE.matcher(t.language()).matches()) {
      add(problems, "template_language must be a language code such as en_US or id");
    }
    if (t.components().size() > MAX_COMPONENTS) {
      add(
          problems,
          "template_components has "
              + t.components().size()
              + " components, at most "
              + MAX_COMPONENTS);
      return;
    }
    int headers = 0;
    int bodies = 0;
    int buttons = 0;
    Set<Integer> indexes = new HashSet<>();
    for (int i = 0; i < t.components().size(); i++) {
      MessageTemplate.Component c = t.components().get(i);
      String at = "template_components[" + i + "]";
      String type = c.type() == null ? "" : c.type();
      switch (type) {
        case "header" -> {
          headers++;
          header(c, at, problems);
        }
        case "body" -> {
          bodies++;
          body(c, at, problems);
        }
        case "button" -> {
          buttons++;
          button(c, at, indexes, problems);
        }
        default -> add(problems, at + ".type must be header, body or button");
      }
    }
    if (headers > 1 || bodies > 1) {
      add(problems, "a template has at most one header and one body component");
    }
    if (buttons > MAX_BUTTONS) {
      add(problems, "a template has at most " + MAX_BUTTONS + " buttons");
    }
  }

  private static void header(
      MessageTemplate.Component c, String at, List<ScheduleValidator.Problem> problems) {
    if (c.parameters().size() > 1) {
      add(problems, at + " (header) takes at most one parameter");
      return;
    }
    for (MessageTemplate.Parameter p : c.parameters()) {
      switch (p.type()) {
        case "text" -> text(p.text(), at + ".parameters[0]", HEADER_TEXT_MAX_CHARS, problems);
        case "image", "video", "document" -> media(p.link(), at + ".parameters[0]", problems);
        default -> add(problems, at + " (header) parameter must be text, image, video or document");
      }
    }
  }

  private static void body(
      MessageTemplate.Component c, String at, List<ScheduleValidator.Problem> problems) {
    if (c.parameters().size() > MAX_BODY_PARAMETERS) {
      add(
          problems,
          at
              + " (body) has "
              + c.parameters().size()
              + " parameters, at most "
              + MAX_BODY_PARAMETERS);
      return;
    }
    for (int j = 0; j < c.parameters().size(); j++) {
      MessageTemplate.Parameter p = c.parameters().get(j);
      String where = at + ".parameters[" + j + "]";
      if (!"text".equals(p.type())) {
        add(problems, where + " (body) must be a text parameter");
      } else {
        text(p.text(), where, BODY_PARAMETER_MAX_CHARS, problems);
      }
    }
  }

  private static void button(
      MessageTemplate.Component c,
      String at,
      Set<Integer> indexes,
      List<ScheduleValidator.Problem> problems) {
    String kind = c.subType() == null ? "" : c.subType();
    if (!kind.equals("quick_reply") && !kind.equals("url")) {
      add(problems, at + ".sub_type must be quick_reply or url");
      return;
    }
    if (c.index() == null || c.index() < 0 || c.index() >= MAX_BUTTONS) {
      add(problems, at + ".index must be 0 to " + (MAX_BUTTONS - 1));
    } else if (!indexes.add(c.index())) {
      add(problems, at + ".index " + c.index() + " is used twice");
    }
    String wanted = kind.equals("quick_reply") ? "payload" : "text";
    if (c.parameters().size() != 1 || !wanted.equals(c.parameters().get(0).type())) {
      add(problems, at + " (" + kind + " button) takes exactly one " + wanted + " parameter");
      return;
    }
    text(c.parameters().get(0).text(), at + ".parameters[0]", BUTTON_PARAMETER_MAX_CHARS, problems);
  }

  private static void text(
      String text, String where, int max, List<ScheduleValidator.Problem> problems) {
    if (text == null || text.isBlank()) {
      add(problems, where + " must not be empty (the Cloud API refuses empty parameters)");
      return;
    }
    if (text.length() > DefinitionBounds.MAX_MESSAGE_UTF16) {
      problems.add(
          new ScheduleValidator.Problem(
              ErrorReason.TOO_LARGE,
              where + " has " + text.length() + " characters, at most " + max));
      return;
    }
    String encoding = DefinitionBounds.encodingProblem(text);
    if (encoding != null) {
      add(problems, where + " " + encoding);
      return;
    }
    for (String s : TemplateRenderer.check(text)) {
      add(problems, where + ": " + s);
    }
    // The text as written must fit; what a recipient's variables make of it is checked per
    // recipient at fan-out (over the bound: skipped as unrenderable). A worst case here would
    // forbid {name} in a 60-character header, where real names fit.
    int chars = text.codePointCount(0, text.length());
    if (chars > max) {
      problems.add(
          new ScheduleValidator.Problem(
              ErrorReason.TOO_LARGE, where + " has " + chars + " characters, at most " + max));
    }
  }

  private static void media(String link, String where, List<ScheduleValidator.Problem> problems) {
    if (link == null || link.isBlank()) {
      add(problems, where + " needs a link");
      return;
    }
    if (link.length() > Limits.MEDIA_URL_MAX_CHARS) {
      problems.add(
          new ScheduleValidator.Problem(
              ErrorReason.TOO_LARGE,
              where
                  + ".link has "
                  + link.length()
                  + " characters, at most "
                  + Limits.MEDIA_URL_MAX_CHARS));
      return;
    }
    try {
      URI uri = new URI(link.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") || uri.getHost() == null || uri.getHost().isBlank()) {
        add(problems, where + ".link must be an https URL with a host");
      }
    } catch (URISyntaxException e) {
      add(problems, where + ".link is not a valid URL");
    }
  }

  private static void add(List<ScheduleValidator.Problem> problems, String message) {
    problems.add(new ScheduleValidator.Problem(ErrorReason.INVALID_CONTENT, message));
  }
}
