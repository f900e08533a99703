package io.herald.contracts.event;

import java.util.Map;
import java.util.stream.Collectors;

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
    fields =
        fields == null
            ? Map.of()
            : fields.entrySet().stream()
                .filter(e -> e.getKey() != null && e.getValue() != null)
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
