package io.herald.scheduler.cli;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.WindowPolicy;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.SkipReasons;
import io.herald.scheduler.render.RenderContext;
import io.herald.scheduler.render.TemplateParameters;
import io.herald.scheduler.render.TemplateRenderer;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.topology.RecipientResolver;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one occurrence of a definition would do, recipient by recipient: the fan-out's resolution
 * ({@link RecipientResolver}, the class the topology uses) and rendering (same {@link
 * RenderContext}, same {@link CommandId} seed, so the same spintax choice), then the sender's
 * window decision and messaging-limit admission. Pure.
 *
 * <p>The window decision and the admission are the sender's ({@code delivery.WindowChoice}, {@code
 * JdbcMessagingLimits}), which this module cannot import; {@link #choice} and {@link #admit} repeat
 * them minimally and must change with them.
 */
final class DryRunPlanner {

  /** The Cloud API's customer-service window and the sender's safety margin before its end. */
  static final Duration WINDOW = Duration.ofHours(24);

  static final Duration MARGIN = Duration.ofMinutes(1);

  /** What goes out for a recipient. */
  enum Choice {
    TEXT,
    TEMPLATE,
    SKIP
  }

  /**
   * One recipient of the occurrence.
   *
   * @param identity the canonical recipient (contact id, E.164 number or group id)
   * @param address where it goes (E.164 number or group id), null when unknown
   * @param skipReason a {@link SkipReasons} value, or null when it would be sent
   * @param choice text or template (null when skipped)
   * @param deferred held back by the messaging limit now
   */
  record Line(
      String identity,
      String address,
      String contactId,
      Choice choice,
      String text,
      MessageTemplate template,
      boolean insideWindow,
      boolean deferred,
      String skipReason) {}

  /**
   * The device side of the decision.
   *
   * @param templates whether the device's transport sends templates (the Cloud API)
   * @param lastInbound a recipient's last inbound message on the device, by wa_id (digits only)
   * @param at when the window is judged (the occurrence, or now when it is due already)
   * @param limit the messaging limit, null when none applies
   * @param used unique recipients counted against it in the last 24 h
   * @param counted those recipients (digits only)
   */
  record DeviceFacts(
      boolean templates,
      Map<String, Instant> lastInbound,
      Instant at,
      Integer limit,
      long used,
      Set<String> counted) {}

  private DryRunPlanner() {}

  static List<Line> plan(
      Definition def,
      List<String> canonicalRecipients,
      ZoneId zone,
      Instant occurrence,
      RecipientResolver resolver,
      DeviceFacts device) {
    int maxChars =
        def.mediaUrl() == null || def.mediaUrl().isBlank()
            ? Limits.MESSAGE_MAX_CHARS
            : Limits.CAPTION_MAX_CHARS;
    WindowPolicy policy =
        def.windowPolicy() != null
            ? def.windowPolicy()
            : WindowPolicy.defaultFor(def.template() != null);
    long used = device.used();
    Set<String> counted = new HashSet<>(device.counted());
    List<Line> lines = new ArrayList<>(canonicalRecipients.size());
    for (String recipient : canonicalRecipients) {
      RecipientResolver.Resolution r = resolver.resolve(def, recipient);
      if (r.skipped()) {
        lines.add(skip(r, r.skipReason()));
        continue;
      }
      CommandId id = CommandId.of(def.scheduleKey(), occurrence, r.identity());
      RenderContext ctx =
          new RenderContext(r.name(), r.address(), r.fields(), occurrence, zone, id.value());
      Optional<String> text = TemplateRenderer.render(def.message(), ctx, maxChars);
      Optional<MessageTemplate> template =
          def.template() == null
              ? Optional.empty()
              : TemplateParameters.render(def.template(), ctx);
      if (text.isEmpty() || (def.template() != null && template.isEmpty())) {
        lines.add(skip(r, SkipReasons.UNRENDERABLE));
        continue;
      }
      String waId = r.address().replaceAll("[^0-9]", "");
      boolean inside = inside(device.lastInbound().get(waId), device.at());
      Choice choice = choice(policy, def.template() != null, device.templates(), inside);
      if (choice == Choice.SKIP) {
        lines.add(skip(r, SkipReasons.OUTSIDE_WINDOW));
        continue;
      }
      boolean deferred = false;
      if (choice == Choice.TEMPLATE
          && !inside
          && device.limit() != null
          && !counted.contains(waId)) {
        if (admit(device.limit(), used)) {
          used++;
          counted.add(waId);
        } else {
          deferred = true;
        }
      }
      lines.add(
          new Line(
              r.identity(),
              r.address(),
              r.contactId(),
              choice,
              text.get(),
              choice == Choice.TEMPLATE ? template.orElse(null) : null,
              inside,
              deferred,
              null));
    }
    return lines;
  }

  private static Line skip(RecipientResolver.Resolution r, String reason) {
    return new Line(
        r.identity(), r.address(), r.contactId(), null, null, null, false, false, reason);
  }

  /** Whether a recipient whose last inbound message was at {@code lastInbound} is inside. */
  static boolean inside(Instant lastInbound, Instant at) {
    return lastInbound != null && lastInbound.plus(WINDOW).minus(MARGIN).isAfter(at);
  }

  /** The sender's {@code WindowChoice.of}: a gateway sends text whatever the policy. */
  static Choice choice(
      WindowPolicy policy, boolean hasTemplate, boolean transportHasTemplates, boolean inside) {
    if (!transportHasTemplates) {
      return Choice.TEXT;
    }
    switch (policy) {
      case TEMPLATE_ALWAYS:
        return hasTemplate ? Choice.TEMPLATE : Choice.TEXT;
      case FALLBACK_TEMPLATE:
        return inside || !hasTemplate ? Choice.TEXT : Choice.TEMPLATE;
      case SKIP_OUTSIDE:
        return inside ? Choice.TEXT : Choice.SKIP;
      case FREE_TEXT:
      default:
        return Choice.TEXT;
    }
  }

  /** The sender's admission: a recipient not yet counted fits while the count is below. */
  static boolean admit(Integer limit, long used) {
    return limit == null || used < limit;
  }
}
