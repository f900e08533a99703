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
      String skipReason,
      Instant quietUntil,
      ZoneId recipientZone) {}

  /**
   * The tenant's sending policies (issue 19) as the sender applies them.
   *
   * @param quietStart the quiet window in force (the definition's, else the tenant's), or null
   * @param caps per-contact caps as {max, hours}
   * @param recentSends each contact's (digits) sends counted by the caps in the last 30 days
   */
  record Policies(
      java.time.LocalTime quietStart,
      java.time.LocalTime quietEnd,
      List<long[]> caps,
      Map<String, List<Instant>> recentSends) {

    static final Policies NONE = new Policies(null, null, List.of(), Map.of());
  }

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
      DeviceFacts device,
      Policies policies) {
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
      ZoneId own = io.herald.scheduler.render.RecipientZones.of(r.fields(), r.address(), zone);
      Instant quietUntil =
          policies.quietStart() == null
              ? null
              : quietUntil(policies.quietStart(), policies.quietEnd(), own, device.at());
      if (capReached(policies, waId, device.at())) {
        lines.add(skip(r, SkipReasons.FREQUENCY_CAP));
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
              null,
              quietUntil,
              own));
    }
    return lines;
  }

  /** The sender's {@code QuietWindow.deferUntil}: when a send at {@code at} may go, or null. */
  static Instant quietUntil(
      java.time.LocalTime start, java.time.LocalTime end, ZoneId zone, Instant at) {
    if (start.equals(end)) {
      return null;
    }
    java.time.ZonedDateTime local = at.atZone(zone);
    java.time.LocalTime t = local.toLocalTime();
    boolean inside =
        start.isAfter(end)
            ? !t.isBefore(start) || t.isBefore(end)
            : !t.isBefore(start) && t.isBefore(end);
    if (!inside) {
      return null;
    }
    java.time.LocalDate day =
        t.isBefore(end) ? local.toLocalDate() : local.toLocalDate().plusDays(1);
    return java.time.ZonedDateTime.of(day, end, zone).toInstant();
  }

  /** The sender's frequency caps: whether a send to {@code waId} at {@code at} is over one. */
  static boolean capReached(Policies policies, String waId, Instant at) {
    List<Instant> sends = policies.recentSends().getOrDefault(waId, List.of());
    for (long[] cap : policies.caps()) {
      Instant since = at.minus(Duration.ofHours(cap[1]));
      long n = sends.stream().filter(s -> s.isAfter(since)).count();
      if (n >= cap[0]) {
        return true;
      }
    }
    return false;
  }

  private static Line skip(RecipientResolver.Resolution r, String reason) {
    return new Line(
        r.identity(),
        r.address(),
        r.contactId(),
        null,
        null,
        null,
        false,
        false,
        reason,
        null,
        null);
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
