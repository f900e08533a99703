package io.herald.contracts.outcome;

import java.util.List;

/**
 * Why a recipient of an occurrence was skipped: the {@code error_code} of its {@code skipped}
 * delivery. Every recipient ends sent, failed, unknown, expired, or skipped with one of these, so
 * an occurrence's counts always add up to its recipients.
 */
public final class SkipReasons {

  /** The contact opted out (at fan-out, or found at send time). */
  public static final String OPTED_OUT = "opted_out";

  /** A contact id that names no contact (never existed, or deleted). */
  public static final String UNKNOWN_CONTACT = "unknown_contact";

  /** A contact id of another tenant's contact: never resolved, never sent. */
  public static final String NOT_TENANT_CONTACT = "not_tenant_contact";

  /** The contact's phone number is not a usable E.164 number. */
  public static final String INVALID_RECIPIENT = "invalid_recipient";

  /** The same recipient listed again in one definition: it gets the message once. */
  public static final String DUPLICATE_RECIPIENT = "duplicate_recipient";

  /** This recipient's variables render the message longer than WhatsApp accepts. */
  public static final String UNRENDERABLE = "unrenderable";

  /**
   * Outside the recipient's 24-hour customer-service window on a definition whose window policy is
   * {@code skip_outside} (ADR 0021).
   */
  public static final String OUTSIDE_WINDOW = "outside_window";

  /**
   * The contact already got as many messages as the tenant's frequency caps allow in their window
   * (issue 19), across every schedule of the tenant.
   */
  public static final String FREQUENCY_CAP = "frequency_cap";

  /** Every reason, for documentation and checks. */
  public static final List<String> ALL =
      List.of(
          OPTED_OUT,
          UNKNOWN_CONTACT,
          NOT_TENANT_CONTACT,
          INVALID_RECIPIENT,
          DUPLICATE_RECIPIENT,
          UNRENDERABLE,
          OUTSIDE_WINDOW,
          FREQUENCY_CAP);

  private SkipReasons() {}
}
