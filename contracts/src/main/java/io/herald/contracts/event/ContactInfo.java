package io.herald.contracts.event;

import io.herald.contracts.limit.Limits;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A contact, keyed by contact id on {@code herald.contacts}; used to resolve recipients given as
 * contact ids, to render per-contact variables and to skip opted-out contacts.
 *
 * @param schemaVersion payload version
 * @param contactId contact id (uuid)
 * @param tenantId owner; a schedule may only address its own tenant's contacts
 * @param phoneNumber E.164 number
 * @param name display name, may be null
 * @param fields extra template variables, may be empty; entries with a null value are dropped
 * @param optedOut true when the contact must not receive messages
 * @param deleted true when the row was deleted
 */
public record ContactInfo(
    int schemaVersion,
    String contactId,
    String tenantId,
    String phoneNumber,
    String name,
    Map<String, String> fields,
    boolean optedOut,
    boolean deleted) {

  public static final int SCHEMA_VERSION = 1;

  public ContactInfo {
    // A null value (e.g. a JSON column holding {"company": null}) means "no value"; Map.copyOf
    // would throw and dead-letter the whole contact, opt-out flag included.
    fields = bounded(fields);
    name = Limits.cut(name, Limits.CONTACT_NAME_MAX_CHARS);
  }

  /**
   * The fields a template may use, bounded whoever built the contact ({@link Limits}): a field
   * whose name is too long is dropped, values are cut, and beyond the first {@link
   * Limits#CONTACT_FIELDS_MAX_ENTRIES} names in sorted order (deterministic, so a re-fire renders
   * the same text) the rest are dropped.
   */
  private static Map<String, String> bounded(Map<String, String> fields) {
    if (fields == null || fields.isEmpty()) {
      return Map.of();
    }
    TreeMap<String, String> kept = new TreeMap<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (e.getKey() != null
          && e.getValue() != null
          && e.getKey().length() <= Limits.CONTACT_FIELD_KEY_MAX_CHARS) {
        kept.put(e.getKey(), Limits.cut(e.getValue(), Limits.CONTACT_FIELD_VALUE_MAX_CHARS));
      }
    }
    while (kept.size() > Limits.CONTACT_FIELDS_MAX_ENTRIES) {
      kept.pollLastEntry();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(kept));
  }
}
