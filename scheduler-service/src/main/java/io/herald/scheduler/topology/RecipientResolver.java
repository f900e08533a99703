package io.herald.scheduler.topology;

import io.herald.contracts.command.RecipientType;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.SkipReasons;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.Recipients;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who a canonical recipient of a firing occurrence is: the address a command goes to and the
 * identity its command id is derived from, or the reason it is skipped ({@link SkipReasons}). A
 * contact-id recipient's command id uses the contact id, not the phone: a phone change between a
 * fire and its re-fire must not produce a second id.
 *
 * <p>Public for {@code herald preview --dry-run}, which resolves stored rows through this same
 * class so that its "would be skipped" cannot disagree with the fan-out.
 */
public final class RecipientResolver {

  /** A resolved recipient, or a skipped one ({@link #skipReason} set, the rest as far as known). */
  public record Resolution(
      String identity,
      String address,
      RecipientType type,
      String contactId,
      String name,
      Map<String, String> fields,
      String skipReason) {

    static Resolution skip(String identity, String reason) {
      return new Resolution(identity, null, null, null, null, Map.of(), reason);
    }

    public boolean skipped() {
      return skipReason != null;
    }
  }

  private final Function<String, ContactInfo> byPhoneKey;
  private final Function<String, ContactInfo> byIdKey;

  /**
   * @param byPhoneKey the contacts store read by {@code ContactsUpdater.phoneKey}
   * @param byIdKey the contacts store read by {@code ContactsUpdater.idKey}
   */
  public RecipientResolver(
      Function<String, ContactInfo> byPhoneKey, Function<String, ContactInfo> byIdKey) {
    this.byPhoneKey = byPhoneKey;
    this.byIdKey = byIdKey;
  }

  public Resolution resolve(Definition def, String recipient) {
    if (Recipients.isDuplicateMark(recipient)) {
      return new Resolution(
          recipient,
          Recipients.duplicated(recipient),
          null,
          null,
          null,
          Map.of(),
          SkipReasons.DUPLICATE_RECIPIENT);
    }
    if (def.kind() == ScheduleKind.AUTOPOST) {
      return new Resolution(recipient, recipient, RecipientType.GROUP, null, null, Map.of(), null);
    }
    if (recipient.startsWith("+")) {
      ContactInfo c = byPhoneKey.apply(ContactsUpdater.phoneKey(def.tenantId(), recipient));
      if (c != null && c.optedOut()) {
        return Resolution.skip(recipient, SkipReasons.OPTED_OUT);
      }
      return new Resolution(
          recipient,
          recipient,
          RecipientType.INDIVIDUAL,
          c == null ? null : c.contactId(),
          c == null ? null : c.name(),
          c == null ? Map.of() : c.fields(),
          null);
    }
    ContactInfo c = byIdKey.apply(ContactsUpdater.idKey(recipient));
    if (c == null || c.deleted()) {
      return Resolution.skip(recipient, SkipReasons.UNKNOWN_CONTACT);
    }
    if (!def.tenantId().equals(c.tenantId())) {
      return Resolution.skip(recipient, SkipReasons.NOT_TENANT_CONTACT);
    }
    if (c.optedOut()) {
      return Resolution.skip(recipient, SkipReasons.OPTED_OUT);
    }
    Optional<String> phone = Recipients.canonicalPhone(c.phoneNumber());
    if (phone.isEmpty()) {
      return Resolution.skip(recipient, SkipReasons.INVALID_RECIPIENT);
    }
    return new Resolution(
        recipient, phone.get(), RecipientType.INDIVIDUAL, recipient, c.name(), c.fields(), null);
  }

  /** The reason in words, for the skipped delivery's error_message. */
  static String describe(String reason) {
    switch (reason) {
      case SkipReasons.OPTED_OUT:
        return "contact opted out";
      case SkipReasons.UNKNOWN_CONTACT:
        return "no such contact";
      case SkipReasons.NOT_TENANT_CONTACT:
        return "the contact belongs to another tenant";
      case SkipReasons.INVALID_RECIPIENT:
        return "the contact's phone number is not a valid E.164 number";
      case SkipReasons.DUPLICATE_RECIPIENT:
        return "listed more than once: the message goes to it once";
      case SkipReasons.UNRENDERABLE:
        return "the message rendered for this recipient is longer than WhatsApp accepts";
      default:
        return reason;
    }
  }
}
