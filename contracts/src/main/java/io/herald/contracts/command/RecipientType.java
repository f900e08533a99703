package io.herald.contracts.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether a send goes to one person (E.164 number) or to a WhatsApp group (group id). */
public enum RecipientType {
  INDIVIDUAL,
  GROUP;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static RecipientType fromWire(String value) {
    return value == null ? null : RecipientType.valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
