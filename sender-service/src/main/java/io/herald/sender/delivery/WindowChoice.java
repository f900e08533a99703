package io.herald.sender.delivery;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.WindowPolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * What a send becomes by the recipient's 24-hour customer-service window (ADR 0021), decided at
 * send time: free text, the template, or a skip. Pure.
 */
public enum WindowChoice {
  TEXT,
  TEMPLATE,
  SKIP;

  /** The Cloud API's customer-service window after a contact's last message. */
  public static final Duration WINDOW = Duration.ofHours(24);

  /**
   * Sends that close in on the window's end are treated as outside: a free text accepted at
   * 23:59:59 could be refused by the time it reaches the provider.
   */
  public static final Duration MARGIN = Duration.ofMinutes(1);

  /** Whether the choice needs the recipient's last inbound instant at all. */
  public static boolean needsWindow(SendCommand cmd, boolean transportHasTemplates) {
    if (!transportHasTemplates) {
      return false;
    }
    WindowPolicy p = cmd.effectiveWindowPolicy();
    // a template always sent still needs the window: outside it, it counts against the number's
    // messaging limit, inside it does not
    return p == WindowPolicy.SKIP_OUTSIDE
        || (p == WindowPolicy.FALLBACK_TEMPLATE && cmd.template() != null)
        || (p == WindowPolicy.TEMPLATE_ALWAYS && cmd.template() != null);
  }

  /** Whether a recipient whose last inbound message was at {@code lastInbound} is inside. */
  public static boolean inside(Instant lastInbound, Instant now) {
    return lastInbound != null && lastInbound.plus(WINDOW).minus(MARGIN).isAfter(now);
  }

  /**
   * The choice for {@code cmd} on a transport with or without templates, given the recipient's last
   * inbound message on this device ({@code null}: none known) at {@code now}.
   */
  public static WindowChoice of(
      SendCommand cmd, boolean transportHasTemplates, Instant lastInbound, Instant now) {
    if (!transportHasTemplates) {
      return TEXT; // a gateway sends the rendered text whatever the policy
    }
    boolean inside = inside(lastInbound, now);
    switch (cmd.effectiveWindowPolicy()) {
      case TEMPLATE_ALWAYS:
        return cmd.template() != null ? TEMPLATE : TEXT;
      case FALLBACK_TEMPLATE:
        return inside || cmd.template() == null ? TEXT : TEMPLATE;
      case SKIP_OUTSIDE:
        return inside ? TEXT : SKIP;
      case FREE_TEXT:
      default:
        return TEXT;
    }
  }

  /** The command as it goes out under this choice. */
  public SendCommand apply(SendCommand cmd) {
    return this == TEMPLATE ? cmd.asTemplate() : cmd.asText();
  }
}
