package io.herald.contracts.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a Cloud API send becomes by the recipient's 24-hour customer-service window, decided by the
 * sender at send time (ADR 0021). Outside the window the Cloud API accepts only templates.
 */
public enum WindowPolicy {
  /** Free text always; outside the window the provider refuses it (131047). */
  FREE_TEXT,
  /** Free text inside the window, the definition's template outside it. */
  FALLBACK_TEMPLATE,
  /** The template always. */
  TEMPLATE_ALWAYS,
  /** Free text inside the window; outside it the recipient is skipped ({@code outside_window}). */
  SKIP_OUTSIDE;

  /** The policy when a definition names none: the template outside the window if it has one. */
  public static WindowPolicy defaultFor(boolean hasTemplate) {
    return hasTemplate ? FALLBACK_TEMPLATE : FREE_TEXT;
  }

  /** Whether the policy needs a template to send anything outside the window. */
  public boolean needsTemplate() {
    return this == FALLBACK_TEMPLATE || this == TEMPLATE_ALWAYS;
  }

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static WindowPolicy fromWire(String value) {
    if (value == null) {
      return null;
    }
    return WindowPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
