package io.herald.scheduler.render;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A recipient's own time zone, for quiet hours in the recipient's time (issue 19): the contact's
 * {@code timezone} field when it names a zone, else the zone of the number (libphonenumber's prefix
 * data, which splits countries with several zones by area code), else the schedule's. Pure; the
 * library's data is loaded once.
 */
public final class RecipientZones {

  /** Contact fields read as the recipient's zone, in this order. */
  static final List<String> FIELDS = List.of("timezone", "time_zone", "tz");

  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  private static final PhoneNumberToTimeZonesMapper ZONES =
      PhoneNumberToTimeZonesMapper.getInstance();

  private RecipientZones() {}

  /**
   * The zone for a recipient with {@code fields} at {@code address} (E.164, or a group id) of a
   * schedule in {@code scheduleZone}.
   */
  public static ZoneId of(Map<String, String> fields, String address, ZoneId scheduleZone) {
    for (String name : FIELDS) {
      String value = fields == null ? null : fields.get(name);
      if (value != null && !value.isBlank() && value.length() <= 64) {
        try {
          return ZoneId.of(value.trim());
        } catch (DateTimeException ignored) {
          // not a zone: the number's, then the schedule's
        }
      }
    }
    ZoneId byNumber = byNumber(address, scheduleZone);
    return byNumber != null ? byNumber : scheduleZone;
  }

  /**
   * The number's zone: the only one its prefix maps to, or the schedule's when that is among
   * several (a country-wide prefix), else the first; null when the number names none.
   */
  static ZoneId byNumber(String address, ZoneId scheduleZone) {
    if (address == null || !address.startsWith("+") || address.length() > 20) {
      return null;
    }
    PhoneNumber number;
    try {
      number = PHONES.parse(address, "ZZ");
    } catch (NumberParseException e) {
      return null;
    }
    List<String> zones = ZONES.getTimeZonesForNumber(number);
    if (zones.isEmpty() || zones.contains(PhoneNumberToTimeZonesMapper.getUnknownTimeZone())) {
      return null;
    }
    if (scheduleZone != null && zones.contains(scheduleZone.getId())) {
      return scheduleZone;
    }
    try {
      return ZoneId.of(zones.get(0));
    } catch (DateTimeException e) {
      return null;
    }
  }
}
