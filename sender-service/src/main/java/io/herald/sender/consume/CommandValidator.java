package io.herald.sender.consume;

import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.limit.ErrorTexts;
import io.herald.contracts.limit.Limits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a send-command's fields against {@link Limits} before anything touches the ledger, the
 * lanes or a transport: a command over a bound is never sent, it fails with the reasons listed
 * here. Pure: imports only {@code java.*} and contracts.
 *
 * <p>Why these checks: every field below ends up in a PostgreSQL row, a log line, a lane key or a
 * provider request. An absurd value (a NUL in a text column, a year PostgreSQL cannot store, a
 * megabyte id) would otherwise fail a group-committed ledger batch again and again, and with it
 * every other lane's commands in that batch.
 */
public final class CommandValidator {

  /** Earliest occurrence instant accepted (year 1; PostgreSQL and ISO-8601 both handle it). */
  static final Instant EARLIEST_OCCURRENCE = Instant.parse("0001-01-01T00:00:00Z");

  /** Latest occurrence instant accepted (a four-digit year, which every consumer parses). */
  static final Instant LATEST_OCCURRENCE = Instant.parse("9999-12-31T23:59:59.999999Z");

  private CommandValidator() {}

  /**
   * What is wrong with {@code cmd}, one reason per problem, each bounded; empty when it may be
   * handed to the lanes. Reasons name fields and sizes, never the message text or a recipient.
   */
  public static List<String> problems(SendCommand cmd) {
    List<String> out = new ArrayList<>();
    if (cmd.commandId() == null || isBlank(cmd.commandId().value())) {
      out.add("missing commandId");
    } else {
      idField(out, "commandId", cmd.commandId().value(), Limits.ID_MAX_CHARS);
    }
    if (isBlank(cmd.deviceId())) {
      out.add("missing deviceId");
    } else {
      idField(out, "deviceId", cmd.deviceId(), Limits.ID_MAX_CHARS);
    }
    if (isBlank(cmd.tenantId())) {
      out.add("missing tenantId");
    } else {
      idField(out, "tenantId", cmd.tenantId(), Limits.ID_MAX_CHARS);
    }
    if (isBlank(cmd.recipient())) {
      out.add("missing recipient");
    } else {
      idField(out, "recipient", cmd.recipient(), Limits.RECIPIENT_MAX_CHARS);
    }
    if (cmd.kind() == null) {
      out.add("missing kind");
    }
    if (cmd.scheduleKey() != null) {
      idField(out, "scheduleKey", cmd.scheduleKey(), Limits.SCHEDULE_KEY_MAX_CHARS);
    }
    if (cmd.contactId() != null) {
      idField(out, "contactId", cmd.contactId(), Limits.ID_MAX_CHARS);
    }
    if (cmd.text() != null && cmd.text().length() > Limits.MESSAGE_MAX_CHARS) {
      // the bound is in characters (code points); a char count within it needs no counting
      int cps = cmd.text().codePointCount(0, cmd.text().length());
      if (cps > Limits.MESSAGE_MAX_CHARS) {
        out.add("text longer than " + Limits.MESSAGE_MAX_CHARS + " characters (" + cps + ")");
      }
    }
    if (cmd.mediaUrl() != null && cmd.mediaUrl().length() > Limits.MEDIA_URL_MAX_CHARS) {
      out.add(
          "mediaUrl longer than "
              + Limits.MEDIA_URL_MAX_CHARS
              + " characters ("
              + cmd.mediaUrl().length()
              + ")");
    }
    if (cmd.template() != null) {
      template(out, cmd.template());
    }
    Instant occ = cmd.occurrenceAt();
    if (occ != null && (occ.isBefore(EARLIEST_OCCURRENCE) || occ.isAfter(LATEST_OCCURRENCE))) {
      out.add("occurrenceAt outside years 1 to 9999");
    }
    return ErrorTexts.reasons(out);
  }

  /**
   * A template's bounds as the scheduler's validator sets them (ADR 0021), for commands another
   * service produced: a name and language that fit a column, a bounded number of components and
   * parameters, and each text or link within what the Cloud API takes.
   */
  private static void template(List<String> out, MessageTemplate t) {
    if (isBlank(t.name()) || isBlank(t.language())) {
      out.add("template without a name or a language");
    } else {
      idField(out, "template.name", t.name(), 512);
      idField(out, "template.language", t.language(), 16);
    }
    if (t.components().size() > 12) {
      out.add("template with more than 12 components (" + t.components().size() + ")");
      return;
    }
    for (MessageTemplate.Component c : t.components()) {
      if (c.parameters().size() > 32) {
        out.add("template component with more than 32 parameters (" + c.parameters().size() + ")");
        return;
      }
      for (MessageTemplate.Parameter p : c.parameters()) {
        if (p.type() == null || p.type().length() > 16) {
          out.add("template parameter without a type");
          return;
        }
        if (p.text() != null && p.text().length() > 2 * 1_024) {
          out.add("template parameter longer than 1024 characters");
          return;
        }
        if (p.link() != null && p.link().length() > Limits.MEDIA_URL_MAX_CHARS) {
          out.add("template media link longer than " + Limits.MEDIA_URL_MAX_CHARS + " characters");
          return;
        }
      }
    }
  }

  /**
   * True when {@code s} fits {@code max} characters and holds no control character: a value that
   * can be written to a PostgreSQL text column and a log line as it is.
   */
  public static boolean storable(String s, int max) {
    return s != null && s.length() <= max && !hasControl(s);
  }

  private static void idField(List<String> out, String name, String value, int max) {
    if (value.length() > max) {
      out.add(name + " longer than " + max + " characters (" + value.length() + ")");
    } else if (hasControl(value)) {
      out.add(name + " contains control characters");
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029') {
        return true;
      }
    }
    return false;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
