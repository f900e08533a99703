package io.herald.contracts.event;

import java.util.Map;

/**
 * A contact, keyed by contact id on {@code herald.contacts}; used to resolve recipients given as
 * contact ids, to render per-contact variables and to skip opted-out contacts.
 *
 * @param schemaVersion payload version
 * @param contactId contact id (uuid)
 * @param tenantId owner; a schedule may only address its own tenant's contacts
 * @param phoneNumber E.164 number
 * @param name display name, may be null
 * @param fields extra template variables, may be empty
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
    fields = fields == null ? Map.of() : Map.copyOf(fields);
  }
}
