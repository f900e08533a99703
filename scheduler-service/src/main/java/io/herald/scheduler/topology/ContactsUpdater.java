package io.herald.scheduler.topology;

import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.limit.Limits;
import io.herald.scheduler.schedule.Recipients;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global {@code contacts} store with two entries per contact: by contact id, and by
 * tenant + canonical E.164 number, so a recipient given as a bare number still renders with the
 * contact's name and is skipped when that contact opted out. Kafka Streams (since 3.8, KIP-1024)
 * replays the topic through this processor on restore, so the phone index is rebuilt too.
 */
public final class ContactsUpdater implements Processor<String, ContactInfo, Void, Void> {

  private static final Logger log = LoggerFactory.getLogger(ContactsUpdater.class);

  private static final String PHONE_PREFIX = "phone:";

  private KeyValueStore<String, ContactInfo> contacts;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    contacts = context.getStateStore(Names.CONTACTS_STORE);
  }

  /** The id-entry key of a contact. */
  public static String idKey(String contactId) {
    return contactId.trim().toLowerCase(Locale.ROOT);
  }

  /** The phone-index key of a number in a tenant. */
  public static String phoneKey(String tenantId, String e164) {
    return PHONE_PREFIX + tenantId + ":" + e164;
  }

  private final SchedulerMetrics metrics;

  ContactsUpdater() {
    this(SchedulerMetrics.noop());
  }

  ContactsUpdater(SchedulerMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Runs on the global thread, whose death stops the whole client: a record whose content makes the
   * update fail is logged, counted and skipped (the store keeps its previous entry), and a key over
   * {@link Limits#ID_MAX_CHARS} is never stored.
   */
  @Override
  public void process(Record<String, ContactInfo> record) {
    if (record.key() == null) {
      return;
    }
    if (record.key().length() > Limits.ID_MAX_CHARS) {
      metrics.setAside("contact");
      log.warn(
          "Global record with an oversized key skipped: store=contacts keyChars={}",
          record.key().length());
      return;
    }
    try {
      update(record);
    } catch (RuntimeException | StackOverflowError e) {
      if (!RecordFailures.isRecordFailure(e)) {
        throw e;
      }
      metrics.setAside("contact");
      log.error(
          "Global record skipped after a failure its content caused: store=contacts key={} "
              + "failure={}",
          record.key(),
          e.toString());
    }
  }

  private void update(Record<String, ContactInfo> record) {
    String id = idKey(record.key());
    ContactInfo previous = contacts.get(id);
    if (previous != null) {
      phoneKeyOf(previous)
          .ifPresent(
              k -> {
                ContactInfo indexed = contacts.get(k);
                // Two contacts of a tenant may share a number: drop the index only if it is ours.
                if (indexed != null && id.equals(idKey(indexed.contactId()))) {
                  contacts.delete(k);
                }
              });
    }
    ContactInfo contact = record.value();
    boolean oversized = contact != null && !contact.deleted() && !fits(contact);
    if (oversized) {
      // Ids and numbers are never cut (a cut one could name someone else): the contact is
      // unknown to the scheduler, its schedules skip it, until a row within the bounds replaces it.
      metrics.setAside("contact");
      log.warn("Contact over its bounds treated as unknown: contactId={}", id);
    }
    if (oversized || contact == null || contact.deleted()) {
      contacts.delete(id);
      return;
    }
    contacts.put(id, contact);
    phoneKeyOf(contact).ifPresent(k -> contacts.put(k, contact));
  }

  private static Optional<String> phoneKeyOf(ContactInfo c) {
    if (c.tenantId() == null || c.contactId() == null) {
      return Optional.empty();
    }
    return Recipients.canonicalPhone(c.phoneNumber()).map(p -> phoneKey(c.tenantId(), p));
  }

  private static boolean fits(ContactInfo c) {
    return within(c.tenantId(), Limits.ID_MAX_CHARS)
        && within(c.contactId(), Limits.ID_MAX_CHARS)
        && within(c.phoneNumber(), Limits.RECIPIENT_MAX_CHARS);
  }

  private static boolean within(String s, int max) {
    return s == null || s.length() <= max;
  }
}
